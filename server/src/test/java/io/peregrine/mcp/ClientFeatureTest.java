package io.peregrine.mcp;

import io.peregrine.tool.ClientFeature;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading what a client declared, including the backward-compatible empty elicitation object. */
class ClientFeatureTest {

    @Test
    void elicitationModes() {
        Map<String, Object> empty = Map.of("elicitation", Map.of());
        assertThat(ClientFeature.ELICITATION_FORM.isDeclaredIn(empty)).isTrue();
        assertThat(ClientFeature.ELICITATION_URL.isDeclaredIn(empty)).isFalse();
        Map<String, Object> urlOnly = Map.of("elicitation", Map.of("url", Map.of()));
        assertThat(ClientFeature.ELICITATION_FORM.isDeclaredIn(urlOnly)).isFalse();
        assertThat(ClientFeature.ELICITATION_URL.isDeclaredIn(urlOnly)).isTrue();
        Map<String, Object> both = Map.of("elicitation", Map.of("form", Map.of(), "url", Map.of()));
        assertThat(ClientFeature.ELICITATION_FORM.isDeclaredIn(both)).isTrue();
        assertThat(ClientFeature.ELICITATION_URL.isDeclaredIn(both)).isTrue();
        assertThat(ClientFeature.ELICITATION_FORM.isDeclaredIn(Map.of("elicitation", true))).isFalse();
    }

    @Test
    void samplingAndRoots() {
        assertThat(ClientFeature.SAMPLING.isDeclaredIn(Map.of("sampling", Map.of()))).isTrue();
        assertThat(ClientFeature.SAMPLING.isDeclaredIn(Map.of())).isFalse();
        assertThat(ClientFeature.ROOTS.isDeclaredIn(Map.of("roots", Map.of("listChanged", true)))).isTrue();
        assertThat(ClientFeature.ROOTS.requiredCapabilities()).isEqualTo(Map.of("roots", Map.of()));
        assertThat(ClientFeature.ELICITATION_URL.requiredCapabilities()).isEqualTo(Map.of("elicitation", Map.of("url", Map.of())));
    }
}
