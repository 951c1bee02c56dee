package io.peregrine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.launcher.Main;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The configuration: the YAML file, {@code PEREGRINE_*} variables and {@code --set} overrides
 * ({@link ConfigLoader}), and the launcher's {@code --config} argument.
 *
 * <p>Input: sections separated by a line {@code %%}: the YAML file's text, then {@code --set}
 * values one a line, then environment variables ({@code NAME=value}) one a line, then a
 * {@code --config} path. Invariants: a configuration loads, or is refused with a
 * {@link ConfigException} whose message says what is wrong (nothing else escapes: no
 * InvalidPathException, NumberFormatException or YAML exception); a loaded value of every key
 * is of the key's type; the launcher refuses a {@code --config} path it cannot use with a
 * {@link ConfigException} before it starts anything.
 */
class ConfigLoaderFuzzTest {

    private static final Path DIR = createDir();

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void loadsOrExplains(byte[] data) throws IOException {
        String[] sections = new String(data, StandardCharsets.UTF_8).split("\n%%\n", 4);
        Path file = DIR.resolve("peregrine.yaml");
        Files.writeString(file, sections[0], StandardCharsets.UTF_8);
        List<String> sets = sections.length > 1 ? lines(sections[1]) : List.of();
        Map<String, String> env = new HashMap<>();
        if (sections.length > 2) {
            for (String line : lines(sections[2])) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        try {
            PeregrineConfig config = ConfigLoader.load(file, env, sets);
            config.values().forEach((name, value) -> assertThat(value).as(name).isNotNull());
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        if (sections.length > 3) {
            launcherConfigArgument(sections[3]);
        }
        rhythm.afterInput();
    }

    /** {@code --config PATH --help}: the path is read before the help is given, and nothing starts. */
    private static void launcherConfigArgument(String path) {
        try {
            Main.start(new String[] {"--config", path, "--help"}, Map.of()).close();
            fail("--help started a server");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("--config");
        } catch (RuntimeException e) {
            assertThat(e.getClass().getSimpleName()).as("what --help throws").isEqualTo("UsageRequested");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> lines(String section) {
        return new ArrayList<>(Arrays.asList(section.split("\n")));
    }

    private static Path createDir() {
        try {
            return Files.createTempDirectory("peregrine-config-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeDir() throws IOException {
        Files.deleteIfExists(DIR.resolve("peregrine.yaml"));
        Files.deleteIfExists(DIR);
    }
}
