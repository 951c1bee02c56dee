package io.peregrine.ops.metrics;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real Prometheus server (Debian's {@code prometheus} binary) on a loopback port the OS picks,
 * with its storage in a temporary folder and the configuration a test writes; {@link #close()}
 * stops it. The port is read from its log ("Listening on"), so nothing is guessed or probed.
 */
final class PrometheusProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
    private static final long STARTUP_MILLIS = 60_000;

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    /** Starts Prometheus with {@code config} (YAML text) in {@code dir}, and waits until it is ready. */
    static PrometheusProcess start(Path dir, String config) throws IOException, InterruptedException {
        Path binary = PrometheusTools.binary("prometheus");
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:0",
                "--enable-feature=exemplar-storage",
                "--log.level=info")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PrometheusProcess started = null;
        try {
            started = new PrometheusProcess(process, log, URI.create("http://127.0.0.1:" + awaitPort(process, log) + "/"));
            started.awaitReady();
            return started;
        } finally {
            if (started == null) {
                process.destroyForcibly();
            }
        }
    }

    private static int awaitPort(Process process, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_MILLIS);
        while (System.nanoTime() - deadline < 0) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                fail("prometheus exited with status " + process.exitValue() + ":\n" + Files.readString(log));
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        process.destroyForcibly();
        return fail("prometheus did not say where it listens within " + STARTUP_MILLIS + " ms:\n" + Files.readString(log));
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_MILLIS);
        while (System.nanoTime() - deadline < 0) {
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        fail("prometheus was not ready within " + STARTUP_MILLIS + " ms:\n" + log());
    }

    /** The {@code data} of the HTTP API's answer at {@code pathAndQuery} (e.g. {@code api/v1/rules}); asserts success. */
    @SuppressWarnings("unchecked")
    Object data(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> body = (Map<String, Object>) JsonTree.parse(r.body());
        assertThat(body.get("status")).as("GET %s answered %s: %s", pathAndQuery, r.statusCode(), r.body()).isEqualTo("success");
        return body.get("data");
    }

    /** {@link #data} where it is an object. */
    @SuppressWarnings("unchecked")
    Map<String, Object> api(String pathAndQuery) throws IOException, InterruptedException {
        return (Map<String, Object>) data(pathAndQuery);
    }

    /**
     * The instant vector (or scalar) {@code promql} evaluates to now, through {@code /api/v1/query};
     * asserts that Prometheus evaluated it without error.
     */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql) throws IOException, InterruptedException {
        Map<String, Object> data = api("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Object result = data.get("result");
        if (result instanceof List) {
            return (List<Map<String, Object>>) result;
        }
        return List.of(Map.of("value", result));
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
