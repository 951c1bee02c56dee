package io.peregrine.ops.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Objects;

/**
 * {@code peregrine_build_info{version,revision,java_version} 1}: which build a replica runs, to
 * join onto other series ({@code * on(instance) group_left(version) peregrine_build_info}).
 */
public final class BuildInfo {

    private final String version;
    private final String revision;

    /** A build of {@code version} from source revision {@code revision} ("unknown" when not known). */
    public BuildInfo(String version, String revision) {
        this.version = Objects.requireNonNull(version, "version");
        this.revision = Objects.requireNonNull(revision, "revision");
    }

    /**
     * What the jar's manifest says ({@code Implementation-Version}, {@code Peregrine-Revision}), or
     * {@code unknown} for what it does not say (classes run from a build directory).
     */
    public static BuildInfo fromManifest() {
        java.util.jar.Attributes main = ownManifest();
        String version = main == null ? null : main.getValue("Implementation-Version");
        String revision = main == null ? null : main.getValue("Peregrine-Revision");
        return new BuildInfo(known(version), known(revision));
    }

    /** The manifest of the jar this class was loaded from (not the first one on the class path), or null. */
    private static java.util.jar.Attributes ownManifest() {
        java.net.URL self = BuildInfo.class.getResource("BuildInfo.class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return null;
        }
        String url = self.toString();
        try (java.io.InputStream in = new java.net.URL(url.substring(0, url.indexOf("!/") + 2) + "META-INF/MANIFEST.MF")
                .openStream()) {
            return new java.util.jar.Manifest(in).getMainAttributes();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static String known(String value) {
        return value == null || value.isEmpty() || value.startsWith("${") ? "unknown" : value;
    }

    public String version() {
        return version;
    }

    public String revision() {
        return revision;
    }

    void register(PrometheusRegistry registry) {
        Info.builder()
                .name("peregrine_build_info")
                .help("The running build: Peregrine's version and source revision, and the Java runtime")
                .labelNames("version", "revision", "java_version")
                .register(registry)
                .setLabelValues(version, revision, System.getProperty("java.version", "unknown"));
    }
}
