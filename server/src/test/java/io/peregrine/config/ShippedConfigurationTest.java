package io.peregrine.config;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** config/peregrine.yaml and the examples say what {@link ConfigKey} says. */
class ShippedConfigurationTest {

    static final Path CONFIG_DIR = Files.isDirectory(Path.of("config")) ? Path.of("config") : Path.of("../config");

    /**
     * Every key is in the shipped file at its default, or, when it is left out, shown in a comment
     * with its default ({@code # port: 7400}); nothing else is in the file.
     */
    @Test
    void theShippedFileHoldsEveryKeyAtItsDefaultAndNothingElse() throws IOException {
        Path file = CONFIG_DIR.resolve("peregrine.yaml");
        String text = Files.readString(file);
        Map<String, Object> present = flatten(text);
        assertThat(ConfigKey.all().keySet()).as("keys ConfigKey knows").containsAll(present.keySet());
        PeregrineConfig loaded = ConfigLoader.load(file, Map.of(), List.of());
        List<String> missing = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            if (present.containsKey(key.name())) {
                assertThat(loaded.get(key)).as(key.name()).isEqualTo(key.defaultValue());
            } else if (!commentedWithDefault(text, key)) {
                missing.add(key.name());
            }
        }
        assertThat(missing).as("keys neither in " + file + " nor commented there with their default").isEmpty();
    }

    private static <T> boolean commentedWithDefault(String text, ConfigKey<T> key) {
        String leaf = key.name().substring(key.name().lastIndexOf('.') + 1);
        String value = key.format(key.defaultValue());
        return Pattern.compile("(?m)^\\s*#\\s*" + Pattern.quote(leaf) + ":\\s*\"?" + Pattern.quote(value) + "\"?\\s*$")
                .matcher(text).find();
    }

    @Test
    void everyShippedConfigurationLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> top = Files.list(CONFIG_DIR); Stream<Path> examples = Files.list(CONFIG_DIR.resolve("examples"))) {
            files = Stream.concat(top, examples).filter(p -> p.toString().endsWith(".yaml")).sorted()
                    .collect(Collectors.toList());
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("peregrine.yaml", "secure.yaml");
        for (Path file : files) {
            PeregrineConfig c = ConfigLoader.load(file, Map.of(), List.of());
            if (file.getFileName().toString().equals("peregrine.yaml")) {
                // The defaults written out: it sets nothing, so the launcher finds no key set in vain.
                assertThat(c.explicitKeys()).as(file.toString()).isEmpty();
            } else {
                assertThat(c.explicitKeys()).as(file.toString()).isNotEmpty();
            }
        }
    }

    private static Map<String, Object> flatten(String yaml) {
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", (Map<?, ?>) doc, out);
        return out;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        map.forEach((k, v) -> {
            if (v instanceof Map) {
                flatten(prefix + k + ".", (Map<?, ?>) v, out);
            } else {
                out.put(prefix + k, v);
            }
        });
    }
}
