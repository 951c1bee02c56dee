package io.peregrine.conformance;

import io.peregrine.Peregrine;
import io.peregrine.PeregrineExtension;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the conformance fixtures when the configuration asks for them
 * ({@code conformance.fixtures: true}, as {@code config/conformance.yaml} does); does nothing
 * otherwise. Found by the launcher through {@code META-INF/services}.
 */
public final class ConformanceExtension implements PeregrineExtension {

    private static final Logger log = LoggerFactory.getLogger(ConformanceExtension.class);

    @Override
    public void built(Peregrine server, PeregrineConfig config) {
        if (!config.get(ConfigKey.CONFORMANCE_FIXTURES)) {
            return;
        }
        ConformanceFixtures.addTo(server);
        log.info("Conformance fixtures served ({}: true): {} tools, {} resources, {} resource templates, {} prompts",
                ConfigKey.CONFORMANCE_FIXTURES.name(), server.tools().size(), server.resources().resources().size(),
                server.resources().templates().size(), server.prompts().size());
    }
}
