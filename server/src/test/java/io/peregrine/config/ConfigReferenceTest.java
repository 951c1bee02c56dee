package io.peregrine.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** docs/configuration.md is what {@link ConfigReference} writes from {@link ConfigKey}. */
class ConfigReferenceTest {

    private static final Path PAGE = Files.isDirectory(Path.of("docs")) ? Path.of("docs/configuration.md")
            : Path.of("../docs/configuration.md");

    @Test
    void theCommittedReferenceIsUpToDate() throws IOException {
        String expected = ConfigReference.render();
        String committed = Files.exists(PAGE) ? Files.readString(PAGE, StandardCharsets.UTF_8) : "";
        if (!committed.equals(expected)) {
            fail(PAGE.normalize() + " differs from ConfigKey (first difference at line " + firstDifference(committed, expected)
                    + "). Regenerate it from the repository's root with:\n  " + ConfigReference.REGENERATE);
        }
    }

    @Test
    void everyKeyIsDocumentedWithItsDefaultAndBounds() {
        String page = ConfigReference.render();
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            assertThat(page).as(key.name()).contains("| `" + key.name() + "`<br>`" + key.envName() + "` |");
        }
        assertThat(page).contains("| `json.max-nesting-depth`<br>`PEREGRINE_JSON_MAX_NESTING_DEPTH` | integer | `64` | 1 to 10000 | server |")
                .contains("| `shutdown.ready-delay`<br>`PEREGRINE_SHUTDOWN_READY_DELAY` | duration | `5s` (embedded: `0s`) | >= 0 | server |")
                .contains("| `http.auth`<br>`PEREGRINE_HTTP_AUTH` | string | `none` | none, api-key or jwt | policy |")
                .contains("- [The TCP listener (`tcp.*`)](#the-tcp-listener-tcp)");
    }

    private static int firstDifference(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                return i + 1;
            }
        }
        return Math.min(x.length, y.length) + 1;
    }
}
