package dev.rebound.topology;

import dev.rebound.classify.ErrorClassifier;
import dev.rebound.classify.Failure;
import dev.rebound.lifecycle.CallOutcome;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.execute.HealthChecker;
import dev.rebound.request.Json;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Recovery in one topology, wall-clock time advanced by hand: an outage, health checks, and the ramp measured step by step. */
class RecoveryFlowTest {

    private static final String CONFIG = """
            targets:
              chat:
                url: http://127.0.0.1:1/x
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 3, minCalls: 100 }
                recovery: { probe: { ping: true }, interval: 1s, degradeAfter: 2, recoverAfter: 2, failAfter: 5,
                            rampSteps: [10, 25, 50, 100], stepEvery: 5s }
                fallback:
                  - { on: [CIRCUIT_OPEN], static: { content: "not admitted" } }
            """;
    private static final int PER_STEP = 400;

    @TempDir
    Path stateDir;

    private final ControlledExecutor chat = new ControlledExecutor();
    private Ttd ttd;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, byte[]> circuits;
    private TestOutputTopic<String, byte[]> results;
    private int n;

    @BeforeEach
    void start() {
        ttd = new Ttd(CONFIG, t -> chat, stateDir, 7);
        driver = ttd.driver;
        circuits = ttd.circuits;
        results = ttd.results;
    }

    @AfterEach
    void stop() {
        ttd.close();
    }

    private void send() {
        final String id = "r" + n++;
        ttd.send("k-" + id, "{\"id\":\"" + id + "\",\"target\":\"chat\",\"payload\":{}}");
    }

    /** Advances wall-clock time in owner ticks, answering every health check on the way as {@code healthy} says. */
    private void run(final Duration d, final boolean healthy) {
        for (long t = 0; t < d.toMillis(); t += 100) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            for (final ControlledExecutor.Call c : chat.calls()) {
                if (c.spec().requestId().startsWith(HealthChecker.PROBE_ID) && !c.future().isDone()) {
                    if (healthy) {
                        c.future().complete(new CallOutcome.Success(200, Json.MAPPER.createObjectNode(), Instant.now(), 5));
                    } else {
                        c.future().complete(new CallOutcome.Failed(ErrorClassifier.defaults()
                                .classify(new Failure.Http(503, Map.of(), "down"), Instant.now()), Instant.now(), 5));
                    }
                }
            }
        }
    }

    private List<JsonNode> transitions() {
        return Ttd.read(circuits);
    }

    /** Asserts the latest transition published since the last read: "state health percent", e.g. "OPEN DEGRADED 0". */
    private JsonNode expectLatest(final String stateHealthPercent) {
        final List<JsonNode> t = transitions();
        assertThat(t.size()).as("transitions published").isPositive();
        final JsonNode r = t.get(t.size() - 1);
        assertThat(r.path("state").asText() + " " + r.path("health").asText() + " " + r.path("trafficPercent").asInt())
                .as(r.toString()).isEqualTo(stateHealthPercent);
        return r;
    }

    private long requestCalls() {
        return chat.calls().stream().filter(c -> !c.spec().requestId().startsWith(HealthChecker.PROBE_ID)).count();
    }

    /** Sends {@link #PER_STEP} requests, answers every admitted one with success, returns the admitted share in percent. */
    private double admittedShare() {
        final long before = requestCalls();
        for (int i = 0; i < PER_STEP; i++) {
            send();
        }
        // maxInFlight (64) calls run at once, the rest wait in line
        for (int round = 0; round < 100 && results.getQueueSize() < PER_STEP; round++) {
            for (final ControlledExecutor.Call c : chat.calls()) {
                if (!c.spec().requestId().startsWith(HealthChecker.PROBE_ID) && !c.future().isDone()) {
                    c.future().complete(new CallOutcome.Success(200, Json.MAPPER.createObjectNode(), Instant.now(), 5));
                }
            }
            driver.advanceWallClockTime(Duration.ofMillis(10));
        }
        final List<JsonNode> out = Ttd.read(results);
        final long fallback = out.stream().filter(r -> r.path("servedBy").asText().equals("static")).count();
        assertThat(out).hasSize(PER_STEP);
        assertThat(requestCalls() - before).as("every request is either called or served the fallback").isEqualTo(PER_STEP - fallback);
        return 100.0 * (PER_STEP - fallback) / PER_STEP;
    }

    @Test
    void shouldRampBackThroughEveryStepAfterAnOutage() {
        run(Duration.ofSeconds(3), true);
        assertThat(chat.calls()).as("checked from the start, before any traffic").isNotEmpty()
                .allSatisfy(c -> assertThat(c.spec().requestId()).startsWith(HealthChecker.PROBE_ID));
        assertThat(transitions()).as("passing checks change nothing").isEmpty();
        send();
        chat.fail(chat.calls().size() - 1, 503, "down");
        run(Duration.ofMillis(500), true);
        for (int i = 0; i < 2; i++) {
            send();
            chat.fail(chat.calls().size() - 1, 503, "down");
            run(Duration.ofMillis(200), false);
        }
        run(Duration.ofMillis(300), false);
        expectLatest("OPEN DEGRADED 0");
        assertThat(admittedShare()).as("DEGRADED: no ordinary traffic at all").isZero();

        run(Duration.ofSeconds(10), false); // the outage goes on: checks fail
        expectLatest("OPEN FAILED 0"); // 5 failed checks in a row

        run(Duration.ofMillis(2_600), true); // two passing checks
        expectLatest("HALF_OPEN RECOVERING 10");
        final double s10 = admittedShare();
        run(Duration.ofSeconds(5), true);
        expectLatest("HALF_OPEN RECOVERING 25");
        final double s25 = admittedShare();
        run(Duration.ofSeconds(5), true);
        expectLatest("HALF_OPEN RECOVERING 50");
        final double s50 = admittedShare();
        run(Duration.ofSeconds(5), true);
        expectLatest("CLOSED HEALTHY 100");
        final double s100 = admittedShare();
        System.out.printf("admitted share per step: 10%% -> %.1f%%, 25%% -> %.1f%%, 50%% -> %.1f%%, 100%% -> %.1f%%%n", s10, s25, s50, s100);
        // 400 draws per step: a binomial standard deviation of at most 2.5 points
        assertThat(s10).isBetween(5.0, 15.0);
        assertThat(s25).isBetween(19.0, 31.0);
        assertThat(s50).isBetween(43.0, 57.0);
        assertThat(s100).isEqualTo(100.0);
    }

    @Test
    void shouldFallBackToDegradedAtOnceWhenACallFailsDuringTheRamp() {
        send();
        for (int i = 0; i < 3; i++) {
            chat.fail(chat.calls().size() - 1, 503, "down");
            run(Duration.ofMillis(200), false);
            send();
        }
        run(Duration.ofSeconds(3), true);
        expectLatest("HALF_OPEN RECOVERING 10");
        final long before = requestCalls();
        while (requestCalls() == before) {
            send(); // until one is admitted at 10%
        }
        final int admitted = chat.calls().size() - 1;
        assertThat(chat.call(admitted).spec().requestId()).doesNotStartWith(HealthChecker.PROBE_ID);
        chat.fail(admitted, 503, "still down");
        run(Duration.ofMillis(300), true);
        assertThat(expectLatest("OPEN DEGRADED 0").path("reason").asText()).contains("while recovering at 10%");
    }
}
