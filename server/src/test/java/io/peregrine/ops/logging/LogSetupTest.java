package io.peregrine.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peregrine.policy.AuditLog;
import io.peregrine.policy.Grants;
import io.peregrine.policy.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/** Logback configured from {@link LogSettings} as the launcher does it, its lines read back and parsed. */
class LogSetupTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Logger log = LoggerFactory.getLogger("test.logsetup");

    @AfterEach
    void restoreTestLogging() throws Exception {
        MDC.clear();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    private List<String> lines() {
        String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private List<JsonNode> json() throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void jsonLinesCarryTheStandardFieldsTraceIdsAndStructuredFields() throws Exception {
        assertThat(LogSetup.apply(LogSettings.builder().format("json").build(), out)).isTrue();
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("span_id", "00f067aa0ba902b7");
        log.atInfo().addKeyValue("tool", "echo").addKeyValue("count", 3).addKeyValue("ok", true)
                .log("served \"{}\"\nsecond line", "x");
        MDC.clear();
        log.warn("failed", new IllegalStateException("boom"));

        List<JsonNode> nodes = json();
        assertThat(nodes).hasSize(2);
        JsonNode first = nodes.get(0);
        assertThat(first.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("logger").asText()).isEqualTo("test.logsetup");
        assertThat(first.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(first.get("message").asText()).isEqualTo("served \"x\"\nsecond line");
        assertThat(first.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(first.get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(first.get("tool").asText()).isEqualTo("echo");
        assertThat(first.get("count").isInt()).isTrue();
        assertThat(first.get("ok").isBoolean()).isTrue();
        JsonNode second = nodes.get(1);
        assertThat(second.has("trace_id")).isFalse();
        assertThat(second.get("stack_trace").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void auditLinesAreMergedObjectsNotQuotedStrings() throws Exception {
        LogSetup.apply(LogSettings.builder().format("json").rootLevel("error").build(), out);
        new AuditLog(true).toolCall(new Principal("alice", "api-key", Grants.ALL, Long.MAX_VALUE), "tcp", "echo", "ok", 41_000);

        JsonNode line = json().get(0);
        assertThat(line.get("logger").asText()).isEqualTo(AuditLog.LOGGER);
        assertThat(line.get("event").asText()).isEqualTo("tool_call");
        assertThat(line.get("principal").asText()).isEqualTo("alice");
        assertThat(line.get("durationUs").asInt()).isEqualTo(41);
        assertThat(line.has("message")).isFalse();
    }

    @Test
    void levelsApplyToTheRootAndPerLogger() {
        LogSetup.apply(LogSettings.builder().rootLevel("warn").level("test.chatty", "debug").build(), out);
        log.info("root info is below warn");
        LoggerFactory.getLogger("test.chatty.inner").debug("debug of a chatty logger");
        log.warn("a warning");

        assertThat(lines()).hasSize(2);
        assertThat(lines().get(0)).contains("DEBUG", "test.chatty.inner", "debug of a chatty logger")
                .doesNotContain("trace_id");
        assertThat(lines().get(1)).contains("WARN", "a warning");
    }

    @Test
    void textLinesShowTheTraceIdWhileASpanIsCurrent() {
        LogSetup.apply(LogSettings.builder().build(), out);
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        log.info("inside");
        MDC.clear();
        log.info("outside");

        assertThat(lines().get(0)).matches(".* INFO  \\[.*] test.logsetup trace_id=4bf92f3577b34da6a3ce929d0e0e4736 - inside");
        assertThat(lines().get(1)).matches(".* INFO  \\[.*] test.logsetup - outside");
    }

    @Test
    void theAccessLogIsOffUntilAskedAndNeverWritesTheQuery() throws Exception {
        LogSetup.apply(LogSettings.builder().format("json").build(), out);
        assertThat(AccessLog.enabled()).isFalse();
        AccessLog.log("POST", "/mcp", 200, 12, 1_000_000, null);
        assertThat(lines()).isEmpty();

        LogSetup.apply(LogSettings.builder().format("json").accessLog(true).build(), out);
        AccessLog.log("GET", "/mcp/x\"y\n?access_token=s3cret#frag", 401, -1, 2_500_000,
                new InetSocketAddress("127.0.0.1", 50312));

        JsonNode line = json().get(0);
        assertThat(line.get("logger").asText()).isEqualTo(AccessLog.LOGGER);
        assertThat(line.get("message").asText()).isEqualTo("127.0.0.1:50312 \"GET /mcp/x%22y%0A\" 401 - 2.500ms");
        assertThat(line.get("path").asText()).isEqualTo("/mcp/x%22y%0A");
        assertThat(line.get("status").asInt()).isEqualTo(401);
        assertThat(line.get("bytes").asLong()).isEqualTo(-1);
        assertThat(line.get("duration_ms").asDouble()).isEqualTo(2.5);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("s3cret");
    }

    @Test
    void theAuditLogGoesToItsOwnFileAsJsonLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit/peregrine-audit.log");
        LogSetup.apply(LogSettings.builder().rootLevel("info").auditFile(file).auditMaxFileSize(1024 * 1024)
                .auditMaxHistory(3).build(), out);
        new AuditLog(false).forbidden(new Principal("bob", "jwt", Grants.NONE, Long.MAX_VALUE), "http", "tool", "rm", "tools:rm");
        log.info("ordinary line");
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop(); // flushes and closes the file

        List<String> audit = Files.readAllLines(file);
        assertThat(audit).hasSize(1);
        JsonNode line = JSON.readTree(audit.get(0));
        assertThat(line.get("event").asText()).isEqualTo("forbidden");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(lines()).hasSize(1);
        assertThat(lines().get(0)).contains("ordinary line");
    }

    @Test
    void javaUtilLoggingJoinsTheLog() throws Exception {
        LogSetup.apply(LogSettings.builder().format("json").build(), out);
        java.util.logging.Logger.getLogger("test.jul").warning("from java.util.logging");
        java.util.logging.Logger.getLogger("test.jul").fine("below the level");

        List<JsonNode> nodes = json();
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).get("logger").asText()).isEqualTo("test.jul");
        assertThat(nodes.get(0).get("message").asText()).isEqualTo("from java.util.logging");
    }

    @Test
    void badSettingsNameTheirKey(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> LogSettings.builder().format("xml"))
                .hasMessage("log.format : \"xml\" (expected: text or json)");
        assertThatThrownBy(() -> LogSettings.builder().rootLevel("loud"))
                .hasMessage("log.level : \"loud\" (expected: trace, debug, info, warn, error or off)");
        assertThatThrownBy(() -> LogSettings.builder().level("io.netty", "verbose"))
                .hasMessage("log.levels.io.netty : \"verbose\" (expected: trace, debug, info, warn, error or off)");
        Path notAFile = Files.createDirectory(dir.resolve("a-directory"));
        assertThatThrownBy(() -> LogSetup.apply(LogSettings.builder().auditFile(notAFile).build(), out))
                .hasMessageStartingWith("log.audit-file : \"" + notAFile + "\" cannot be written");
    }
}
