package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attempts admitted while their target still admitted calls, waiting in line for a slot when it
 * stops (its breaker trips, an operator disables it), are taken back and never called: their
 * requests go on as not admitted. Without this a burst drains into a target already judged down.
 */
class RecallFlowTest {

    private static final String YAML = """
            kafka: { application.id: recall-test }
            targets:
              llm:
                url: http://127.0.0.1:1/llm
                maxInFlight: 1
                retry: { maxAttempts: 2, initialDelay: 5s, jitter: none }
                circuit: { consecutiveFailures: 2, openFor: 60s }
                fallback:
                  - { on: [CIRCUIT_OPEN], static: { busy: true } }
            """;

    @TempDir
    Path stateDir;

    private final ControlledExecutor llm = new ControlledExecutor();
    private Ttd ttd;

    @AfterEach
    void stop() {
        if (ttd != null) {
            ttd.close();
        }
    }

    @Test
    void shouldNotCallTheAttemptsStillInLineOnceTheTargetsBreakerHasTripped() {
        ttd = new Ttd(YAML, t -> llm, stateDir, 1);
        for (int i = 0; i < 10; i++) {
            ttd.send("k" + i, "{\"id\":\"r" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        assertThat(llm.calls()).as("one slot: one call, nine in line").hasSize(1);
        llm.fail(0, 503, "{}");
        ttd.tick(5);
        assertThat(llm.calls()).hasSize(2);
        llm.fail(1, 503, "{}");
        ttd.tick(5);
        ttd.tick(5);
        // two failures in a row trip this task's breaker; the slot the second failure freed went to the
        // next in line at once (from the call's own thread), but the seven still in line are not called
        assertThat(llm.calls()).as("calls made").hasSize(3);
        final List<JsonNode> results = Ttd.read(ttd.results);
        assertThat(results).hasSize(7).allSatisfy(r -> {
            assertThat(r.path("outcome").asText()).isEqualTo("FALLBACK");
            assertThat(r.path("attempts").asInt()).isZero();
        });
    }

    @Test
    void shouldNotCallTheAttemptsStillInLineOnceAnOperatorDisablesTheTarget() {
        ttd = new Ttd(YAML.replace("on: [CIRCUIT_OPEN]", "on: [CIRCUIT_OPEN, DISABLED]"), t -> llm, stateDir, 1);
        for (int i = 0; i < 5; i++) {
            ttd.send("k" + i, "{\"id\":\"r" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        ttd.control("llm", "{\"disabled\":true,\"reason\":\"maintenance\"}");
        ttd.tick(5);
        llm.succeed(0, "{\"ok\":1}");
        ttd.tick(5);
        ttd.tick(5);
        assertThat(llm.calls()).as("only the call that had started").hasSize(1);
        assertThat(Ttd.read(ttd.results)).hasSize(5);
    }
}
