package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Fallback chains in one topology, one test per trigger of DESIGN §7 and issue #5 point 3. */
class FallbackFlowTest {

    private static final String CONFIG = """
            limits: { maxAttemptsPerRequest: 4 }
            targets:
              primary:
                url: http://127.0.0.1:1/p
                retry: { maxAttempts: 2, initialDelay: 1s, jitter: none }
                budget: { ratio: 1.0, minRetriesPerSecond: 0 }
                circuit: { consecutiveFailures: 3, minCalls: 100, openFor: 10s, probes: 1 }
                fallback:
                  - { on: [CONTEXT_TOO_LONG], target: long }
                  - { on: [SERVER_ERROR, TIMEOUT, NETWORK, CIRCUIT_OPEN, DISABLED, RETRIES_EXHAUSTED], target: secondary }
                  - { cache: { ttl: 1m, maxEntries: 100 } }
                  - { static: { content: "busy, try later" } }
              long:
                url: http://127.0.0.1:1/l
                retry: { maxAttempts: 1 }
              secondary:
                url: http://127.0.0.1:1/s
                retry: { maxAttempts: 3, initialDelay: 1s, jitter: none }
                budget: { ratio: 1.0, minRetriesPerSecond: 5 }
              stingy:
                url: http://127.0.0.1:1/t
                budget: { ratio: 0.0, minRetriesPerSecond: 0 }
                fallback:
                  - { on: [RETRY_BUDGET_EXHAUSTED], static: { content: "budget" } }
              nostatic:
                url: http://127.0.0.1:1/n
                retry: { maxAttempts: 1 }
                fallback:
                  - { target: secondary }
                  - { cache: true }
            """;

    @TempDir
    Path stateDir;

    private final ControlledExecutor primary = new ControlledExecutor();
    private final ControlledExecutor secondary = new ControlledExecutor();
    private final ControlledExecutor other = new ControlledExecutor();
    private Ttd ttd;
    private TestOutputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> deadLetters;
    private ReboundMetrics metrics;
    private int n;

    @BeforeEach
    void start() {
        ttd = new Ttd(CONFIG, t -> switch (t.name()) {
            case "primary", "stingy", "nostatic" -> primary;
            case "secondary" -> secondary;
            default -> other;
        }, stateDir, 1);
        results = ttd.results;
        deadLetters = ttd.deadLetters;
        metrics = ttd.metrics;
    }

    @AfterEach
    void stop() {
        ttd.close();
    }

    private String send(final String target, final String extra) {
        final String id = "r" + n++;
        ttd.send("k-" + id, "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"payload\":{\"q\":\"" + id + "\"}" + extra + "}");
        return id;
    }

    private void tick(final long ms) {
        ttd.tick(ms);
    }

    private static JsonNode json(final byte[] v) {
        return Ttd.json(v);
    }

    private static final String DOWN = "{\"error\":{\"message\":\"upstream unavailable\"}}";

    @Test
    void shouldServeFromTheNextTargetOnceRetriesAreExhausted() {
        send("primary", "");
        primary.fail(0, 503, DOWN);
        tick(10);
        tick(1_100);
        assertThat(primary.calls()).hasSize(2);
        primary.fail(1, 503, DOWN);
        tick(10);
        assertThat(secondary.calls()).as("retries exhausted: the secondary is called").hasSize(1);
        assertThat(secondary.call(0).spec().attempt()).as("one attempt count per request").isEqualTo(3);
        secondary.succeed(0, "{\"from\":\"secondary\"}");
        tick(10);
        final JsonNode r = json(results.readValue());
        assertThat(r.path("outcome").asText()).isEqualTo("FALLBACK");
        assertThat(r.path("servedBy").asText()).isEqualTo("secondary");
        assertThat(r.path("target").asText()).isEqualTo("primary");
        assertThat(r.path("degraded").asBoolean()).isTrue();
        assertThat(r.path("attempts").asInt()).isEqualTo(3);
        assertThat(r.path("response").path("from").asText()).isEqualTo("secondary");
        assertThat(r.path("lastError").path("category").asText()).isEqualTo("SERVER_ERROR");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(metrics.scrape()).contains("rebound_fallbacks_total{outcome=\"served\",step=\"secondary\",target=\"primary\"} 1.0");
    }

    @Test
    void shouldRouteAContextLengthErrorToTheLargerTargetAtOnce() {
        send("primary", "");
        primary.fail(0, 400, "{\"error\":{\"message\":\"too long\",\"code\":\"context_length_exceeded\"}}");
        tick(10);
        assertThat(primary.calls()).as("not retried").hasSize(1);
        assertThat(other.calls()).as("the larger-context target").hasSize(1);
        assertThat(secondary.calls()).isEmpty();
        other.succeed(0, "{\"long\":true}");
        tick(10);
        assertThat(json(results.readValue()).path("servedBy").asText()).isEqualTo("long");
    }

    @Test
    void shouldLeaveBadCredentialsToTheDeadLetterWithoutAFallback() {
        send("primary", "");
        primary.fail(0, 401, "{\"error\":{\"message\":\"Incorrect API key\",\"code\":\"invalid_api_key\"}}");
        tick(10);
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("NON_RETRYABLE");
        assertThat(dl.has("fallback")).isFalse();
        assertThat(secondary.calls()).isEmpty();
        assertThat(results.isEmpty()).isTrue();
    }

    @Test
    void shouldFailFastToTheChainWhileTheCircuitIsOpen() {
        for (int i = 0; i < 3; i++) {
            send("primary", "");
            primary.fail(primary.calls().size() - 1, 503, DOWN);
            tick(10);
        }
        tick(300); // the owner publishes OPEN; the global store has it
        final int before = primary.calls().size();
        final String id = send("primary", "");
        assertThat(primary.calls()).as("no call while OPEN").hasSize(before);
        final var call = secondary.calls().stream().filter(c -> c.spec().requestId().equals(id)).findFirst().orElseThrow();
        assertThat(call.spec().attempt()).as("no attempt was spent on the primary").isEqualTo(1);
    }

    @Test
    void shouldGoStraightToTheChainWhenAnOperatorDisabledTheTarget() {
        ttd.control("primary", "{\"disabled\":true,\"reason\":\"provider incident\"}");
        send("primary", "");
        assertThat(primary.calls()).isEmpty();
        assertThat(secondary.calls()).hasSize(1);
        secondary.succeed(0, "{\"ok\":1}");
        tick(10);
        final JsonNode r = json(results.readValue());
        assertThat(r.path("servedBy").asText()).isEqualTo("secondary");
        assertThat(r.path("lastError").path("message").asText()).contains("primary is disabled by an operator: provider incident");
    }

    @Test
    void shouldServeTheStaticValueWhenTheBudgetIsEmpty() {
        send("stingy", "");
        primary.fail(0, 503, DOWN);
        tick(10);
        final JsonNode r = json(results.readValue());
        assertThat(r.path("servedBy").asText()).isEqualTo("static");
        assertThat(r.path("response").path("content").asText()).isEqualTo("budget");
        assertThat(r.path("httpStatus").isNull()).isTrue();
        assertThat(r.path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void shouldFallBackWhenTheNextWaitWouldPassTheDeadline() {
        send("primary", ",\"timeoutMs\":800");
        primary.fail(0, 503, DOWN);
        tick(10);
        assertThat(secondary.calls()).as("DEADLINE_EXCEEDED is not on the secondary's list; SERVER_ERROR is").hasSize(1);
        assertThat(secondary.call(0).spec().timeout()).isLessThanOrEqualTo(Duration.ofMillis(800));
        secondary.fail(0, 503, DOWN);
        tick(10);
        final JsonNode r = json(results.readValue());
        assertThat(r.path("servedBy").asText()).as("no retry of the secondary past the deadline; the static value").isEqualTo("static");
    }

    @Test
    void shouldServeTheLastGoodResponseFromTheCacheAndTheStaticValueAfterIt() {
        send("primary", ",\"cacheKey\":\"weather\"");
        primary.succeed(0, "{\"sunny\":true}");
        tick(10);
        assertThat(json(results.readValue()).path("outcome").asText()).isEqualTo("SUCCEEDED");

        send("primary", ",\"cacheKey\":\"weather\"");
        send("primary", ",\"cacheKey\":\"traffic\"");
        primary.fail(1, 401, "{\"error\":{\"message\":\"bad key\",\"code\":\"invalid_api_key\"}}"); // not on any list: dead letter
        primary.fail(2, 404, "{\"error\":{\"message\":\"no such model\"}}");
        tick(10);
        assertThat(json(deadLetters.readValue()).path("reason").asText()).isEqualTo("NON_RETRYABLE");
        final JsonNode r = json(results.readValue());
        assertThat(r.path("servedBy").asText()).as("NOT_FOUND skips both targets; no cached traffic: static").isEqualTo("static");

        send("primary", ",\"cacheKey\":\"weather\"");
        primary.fail(3, 404, "{\"error\":{\"message\":\"no such model\"}}");
        tick(10);
        final JsonNode cached = json(results.readValue());
        assertThat(cached.path("servedBy").asText()).isEqualTo("cache");
        assertThat(cached.path("response").path("sunny").asBoolean()).isTrue();
        assertThat(cached.path("httpStatus").asInt()).isEqualTo(200);

        tick(61_000);
        send("primary", ",\"cacheKey\":\"weather\"");
        primary.fail(4, 404, "{\"error\":{\"message\":\"no such model\"}}");
        tick(10);
        assertThat(json(results.readValue()).path("servedBy").asText()).as("past the TTL").isEqualTo("static");
    }

    @Test
    void shouldDeadLetterFallbackFailedListingEveryStep() {
        send("nostatic", "");
        primary.fail(0, 503, DOWN);
        tick(10);
        assertThat(secondary.calls()).hasSize(1);
        secondary.fail(0, 503, DOWN);
        tick(10);
        tick(1_100);
        assertThat(primary.calls()).as("a fallback target's failure never restarts the primary").hasSize(1);
        assertThat(secondary.calls()).as("the secondary retries by its own policy").hasSize(2);
        secondary.fail(1, 503, DOWN);
        tick(10);
        tick(2_100);
        assertThat(secondary.calls()).hasSize(3);
        secondary.fail(2, 503, DOWN);
        tick(10);
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("FALLBACK_FAILED");
        assertThat(dl.path("category").asText()).isEqualTo("SERVER_ERROR");
        assertThat(dl.path("attempts")).hasSize(4);
        assertThat(dl.path("attempts").get(3).path("target").asText()).isEqualTo("secondary");
        assertThat(dl.path("fallback")).hasSize(2);
        assertThat(dl.path("fallback").get(0).path("servedBy").asText()).isEqualTo("secondary");
        assertThat(dl.path("fallback").get(0).path("error").asText()).contains("RETRIES_EXHAUSTED");
        assertThat(dl.path("fallback").get(1).path("servedBy").asText()).isEqualTo("cache");
        assertThat(dl.path("fallback").get(1).path("error").asText()).contains("no response of nostatic");
        assertThat(dl.path("message").asText()).contains("no fallback step could answer").contains("[1 secondary]").contains("[2 cache]");
    }

    @Test
    void shouldStopAtTheRequestsAttemptBudget() {
        send("nostatic", "");
        primary.fail(0, 503, DOWN);
        tick(10);
        for (int i = 0; i < 3; i++) {
            secondary.fail(i, 503, DOWN);
            tick(10);
            tick(2_100);
        }
        assertThat(secondary.calls()).as("1 primary + 3 secondary = limits.maxAttemptsPerRequest 4").hasSize(3);
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("attempts")).hasSize(4);
    }
}
