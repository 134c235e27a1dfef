package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request's {@code policy} (issue #15 item 4) in one topology: each field narrows what the
 * target's configuration would do, and the terminal record states the effective policy.
 */
class PolicyFlowTest {

    private static final String CONFIG = """
            limits: { maxAttemptsPerRequest: 6 }
            targets:
              primary:
                url: http://127.0.0.1:1/p
                timeout: 10s
                retry: { maxAttempts: 3, initialDelay: 1s, jitter: none }
                budget: { ratio: 1.0, minRetriesPerSecond: 5 }
                circuit: { enabled: false }
                fallback:
                  - { target: secondary }
                  - { static: { content: "busy" } }
              secondary:
                url: http://127.0.0.1:1/s
                timeout: 20s
                retry: { maxAttempts: 1 }
                circuit: { enabled: false }
            """;
    private static final String DOWN = "{\"error\":{\"message\":\"upstream unavailable\"}}";

    @TempDir
    Path stateDir;

    private final ControlledExecutor primary = new ControlledExecutor();
    private final ControlledExecutor secondary = new ControlledExecutor();
    private Ttd ttd;
    private TestOutputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> deadLetters;
    private int n;

    @BeforeEach
    void start() {
        ttd = new Ttd(CONFIG, t -> "primary".equals(t.name()) ? primary : secondary, stateDir, 1);
        results = ttd.results;
        deadLetters = ttd.deadLetters;
    }

    @AfterEach
    void stop() {
        ttd.close();
    }

    private String send(final String policy) {
        final String id = "r" + n++;
        ttd.send("k-" + id, "{\"id\":\"" + id + "\",\"target\":\"primary\",\"payload\":{\"q\":\"" + id + "\"}"
                + (policy == null ? "" : ",\"policy\":" + policy) + "}");
        return id;
    }

    private static JsonNode policy(final String json) {
        return Ttd.json(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNotRetryWhenThePolicyAllowsOneAttempt() {
        send("{\"maxAttempts\":1}");
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        ttd.tick(1_100);
        assertThat(primary.calls()).as("no retry of the primary").hasSize(1);
        assertThat(secondary.calls()).as("the chain runs as configured").hasSize(1);
        secondary.succeed(0, "{\"from\":\"secondary\"}");
        ttd.tick(10);
        final JsonNode r = Ttd.json(results.readValue());
        assertThat(r.path("servedBy").asText()).isEqualTo("secondary");
        assertThat(r.path("policy")).isEqualTo(policy("{\"maxAttempts\":1,\"fallback\":[\"secondary\",\"static\"],\"timeoutMs\":10000,"
                + "\"tokens\":null}"));
    }

    @Test
    void shouldRetryUpToTheTargetsAttemptsWithoutAPolicy() {
        send(null);
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        ttd.tick(1_100);
        assertThat(primary.calls()).as("the configured retry").hasSize(2);
        primary.succeed(1, "{\"ok\":true}");
        ttd.tick(10);
        final JsonNode r = Ttd.json(results.readValue());
        assertThat(r.path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(r.path("policy")).as("the target's own policy").isEqualTo(policy("{\"maxAttempts\":3,"
                + "\"fallback\":[\"secondary\",\"static\"],\"timeoutMs\":10000,\"tokens\":null}"));
    }

    @Test
    void shouldDeadLetterInsteadOfTheStaticAnswerWhenThePolicyAllowsNoFallback() {
        send("{\"maxAttempts\":1,\"fallback\":false}");
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        assertThat(secondary.calls()).isEmpty();
        assertThat(results.isEmpty()).as("no static answer").isTrue();
        final JsonNode dl = Ttd.json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(dl.path("message").asText()).endsWith("1 of 1 attempts used (the request's policy limited it to 1; the target allows 3)");
        assertThat(dl.has("fallback")).as("no step was tried").isFalse();
        assertThat(dl.path("policy")).isEqualTo(policy("{\"maxAttempts\":1,\"fallback\":[],\"timeoutMs\":10000,\"tokens\":null}"));
    }

    @Test
    void shouldWaitRatherThanFailFastToAChainThePolicyForbidsWhileTheTargetIsDisabled() {
        ttd.control("primary", "{\"disabled\":true,\"reason\":\"provider incident\"}");
        send("{\"fallback\":false}");
        ttd.tick(10);
        assertThat(primary.calls()).isEmpty();
        assertThat(secondary.calls()).isEmpty();
        assertThat(results.isEmpty()).as("no static answer").isTrue();
        assertThat(deadLetters.isEmpty()).as("it waits for the target, as if no chain were configured").isTrue();
    }

    @Test
    void shouldSkipTheStepsThePolicyLeavesOut() {
        send("{\"maxAttempts\":1,\"fallback\":[2],\"tokens\":50}");
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        assertThat(secondary.calls()).as("step 1 skipped").isEmpty();
        final JsonNode r = Ttd.json(results.readValue());
        assertThat(r.path("servedBy").asText()).isEqualTo("static");
        assertThat(r.path("policy")).isEqualTo(policy("{\"maxAttempts\":1,\"fallback\":[\"static\"],\"timeoutMs\":10000,\"tokens\":50}"));
    }

    @Test
    void shouldCapEveryAttemptsTimeoutByThePolicy() {
        send("{\"maxAttempts\":1,\"timeoutMs\":1500,\"fallback\":[\"secondary\"]}");
        assertThat(primary.call(0).spec().timeout()).isEqualTo(Duration.ofMillis(1500));
        primary.fail(0, 503, DOWN);
        ttd.tick(10);
        assertThat(secondary.call(0).spec().timeout()).as("a fallback target's attempt too").isEqualTo(Duration.ofMillis(1500));
        secondary.fail(0, 503, DOWN);
        ttd.tick(10);
        final JsonNode dl = Ttd.json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("FALLBACK_FAILED");
        assertThat(dl.path("policy")).isEqualTo(policy("{\"maxAttempts\":1,\"fallback\":[\"secondary\"],\"timeoutMs\":1500,\"tokens\":null}"));
    }

    @Test
    void shouldKeepTheTargetsTimeoutWithoutAPolicy() {
        send(null);
        assertThat(primary.call(0).spec().timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldDeadLetterAWideningPolicyAtTheDoorWithoutAPolicyOrACall() {
        send("{\"maxAttempts\":4}");
        assertThat(primary.calls()).isEmpty();
        final JsonNode dl = Ttd.json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(dl.path("message").asText()).isEqualTo("'policy.maxAttempts' 4 is more than target 'primary' allows (retry.maxAttempts 3); "
                + "a policy may only narrow the target's");
        assertThat(dl.has("policy")).isTrue();
        assertThat(dl.path("policy").isNull()).as("the request never ran").isTrue();
    }
}
