package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Circuits end to end in one topology: outcomes to the owner, transitions to the global store, admission. */
class CircuitFlowTest {

    private static final String CONFIG = """
            targets:
              provider: { kind: group, circuit: { consecutiveFailures: 4, openFor: 5s, probes: 2 } }
              chat:
                parent: provider
                url: http://127.0.0.1:1/x
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 3, minCalls: 100, openFor: 2s, probes: 2 }
              embed:
                parent: provider
                url: http://127.0.0.1:1/y
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 50, minCalls: 100 }
              solo:
                url: http://127.0.0.1:1/z
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 2, openFor: 3s, scope: task }
              free:
                url: http://127.0.0.1:1/w
                retry: { maxAttempts: 1 }
                circuit: { consecutiveFailures: 1, enabled: false }
            """;

    @TempDir
    Path stateDir;

    private final ControlledExecutor chat = new ControlledExecutor();
    private final ControlledExecutor embed = new ControlledExecutor();
    private final ControlledExecutor solo = new ControlledExecutor();
    private Ttd ttd;
    private TestInputTopic<String, byte[]> calls;
    private TestOutputTopic<String, byte[]> circuits;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> results;
    private TestInputTopic<String, byte[]> control;
    private int n;

    @BeforeEach
    void start() {
        ttd = new Ttd(CONFIG, t -> switch (t.name()) {
            case "chat" -> chat;
            case "embed" -> embed;
            default -> solo;
        }, stateDir, 1);
        calls = ttd.calls;
        circuits = ttd.circuits;
        deadLetters = ttd.deadLetters;
        results = ttd.results;
        control = ttd.control;
    }

    @AfterEach
    void stop() {
        ttd.close();
    }

    private String send(final String target, final long timeoutMs) {
        final String id = "r" + n++;
        calls.pipeInput("k-" + id, ("{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"payload\":{},\"timeoutMs\":" + timeoutMs + "}")
                .getBytes(StandardCharsets.UTF_8));
        return id;
    }

    private void tick(final long ms) {
        ttd.tick(ms);
    }

    private static JsonNode json(final byte[] v) {
        return Ttd.json(v);
    }

    private List<JsonNode> transitions() {
        return Ttd.read(circuits);
    }

    @Test
    void shouldOpenOnConsecutiveFailuresAndThenFailFastWithoutACall() {
        for (int i = 0; i < 3; i++) {
            send("chat", 60_000);
            chat.fail(i, 503, "{}");
            tick(10);
        }
        tick(250);
        assertThat(transitions()).singleElement().satisfies(t -> {
            assertThat(t.path("target").asText()).isEqualTo("chat");
            assertThat(t.path("state").asText()).isEqualTo("OPEN");
            assertThat(t.path("reason").asText()).isEqualTo("3 consecutive failures");
            assertThat(t.path("consecutiveFailures").asInt()).isEqualTo(3);
        });

        send("chat", 1_000);
        assertThat(chat.calls()).as("OPEN: no call").hasSize(3);
        final JsonNode dl = json(deadLetters.readRecordsToList().get(3).value());
        assertThat(dl.path("reason").asText()).isEqualTo("CIRCUIT_OPEN");
        assertThat(dl.path("message").asText()).contains("circuit of chat is OPEN");
    }

    @Test
    void shouldWaitInTheDelayPathWhileOpenThenProbeAndClose() {
        for (int i = 0; i < 3; i++) {
            send("chat", 60_000);
            chat.fail(i, 503, "{}");
            tick(10);
        }
        tick(250);
        transitions();
        send("chat", 60_000);
        send("chat", 60_000);
        send("chat", 60_000);
        assertThat(chat.calls()).hasSize(3);

        tick(2_000);
        tick(300);
        assertThat(transitions()).extracting(t -> t.path("state").asText() + "/" + t.path("probeTask").asText())
                .containsExactly("HALF_OPEN/0_0");
        tick(1_200);
        assertThat(chat.calls()).as("two probes admitted, the third request waits").hasSize(5);
        chat.succeed(3, "{}");
        chat.succeed(4, "{}");
        tick(10);
        tick(250);
        assertThat(transitions()).extracting(t -> t.path("state").asText()).containsExactly("CLOSED");
        tick(1_200);
        assertThat(chat.calls()).hasSize(6);
        chat.succeed(5, "{}");
        tick(10);
        assertThat(results.readRecordsToList()).hasSize(3);
    }

    @Test
    void shouldReopenWhenAProbeFails() {
        for (int i = 0; i < 3; i++) {
            send("chat", 60_000);
            chat.fail(i, 503, "{}");
            tick(10);
        }
        tick(2_500);
        transitions();
        send("chat", 60_000);
        chat.fail(3, 504, "{}");
        tick(10);
        tick(250);
        assertThat(transitions()).extracting(t -> t.path("target").asText() + " " + t.path("state").asText() + ": " + t.path("reason").asText())
                .as("the provider counts its child's four failures in a row too")
                .containsExactlyInAnyOrder("chat OPEN: probe failed with TIMEOUT", "provider OPEN: 4 consecutive failures");
    }

    @Test
    void shouldOpenEveryChildWhenTheParentOpens() {
        // chat and embed each fail twice: below their own thresholds, four in a row for the provider
        for (int i = 0; i < 2; i++) {
            send("chat", 60_000);
            chat.fail(i, 503, "{}");
            send("embed", 60_000);
            embed.fail(i, 503, "{}");
            tick(10);
        }
        tick(250);
        assertThat(transitions()).extracting(t -> t.path("target").asText() + " " + t.path("state").asText())
                .containsExactly("provider OPEN");
        send("embed", 1_000);
        assertThat(embed.calls()).as("a child is not admitted while its parent is open").hasSize(2);
        assertThat(json(deadLetters.readRecordsToList().get(4).value()).path("message").asText()).contains("circuit of provider is OPEN");
    }

    @Test
    void shouldNotOpenOnTheRequestsOwnFaults() {
        for (int i = 0; i < 6; i++) {
            send("chat", 60_000);
            chat.fail(i, 400, "{\"error\":{\"message\":\"bad\"}}");
            tick(10);
        }
        tick(250);
        assertThat(transitions()).isEmpty();
        send("chat", 60_000);
        assertThat(chat.calls()).hasSize(7);
    }

    @Test
    void shouldHoldCallsWhileAnOperatorHasTheGroupDisabled() {
        control.pipeInput("provider", "{\"disabled\":true,\"reason\":\"provider incident\",\"at\":\"2026-11-29T12:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8));
        send("chat", 60_000);
        send("embed", 1_500);
        assertThat(chat.calls()).isEmpty();
        assertThat(embed.calls()).isEmpty();
        tick(1_100);
        tick(1_100);
        final JsonNode dl = json(deadLetters.readValue());
        assertThat(dl.path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(dl.path("message").asText()).contains("provider is disabled by an operator: provider incident");

        control.pipeInput("provider", "{\"disabled\":false,\"reason\":\"fixed\"}".getBytes(StandardCharsets.UTF_8));
        tick(1_100);
        assertThat(chat.calls()).as("enabled again: the waiting request is called").hasSize(1);
        assertThat(embed.calls()).isEmpty();
    }

    @Test
    void shouldAdmitEveryCallWhenTheCircuitIsDisabled() {
        for (int i = 0; i < 5; i++) {
            send("free", 60_000);
            solo.fail(i, 503, "{}");
            tick(10);
        }
        tick(250);
        assertThat(transitions()).isEmpty();
        assertThat(solo.calls()).hasSize(5);
    }

    @Test
    void shouldKeepAPerTaskBreakerLocalWithScopeTask() {
        for (int i = 0; i < 2; i++) {
            send("solo", 60_000);
            solo.fail(i, 503, "{}");
            tick(10);
        }
        tick(250);
        assertThat(transitions()).as("scope task publishes nothing").isEmpty();
        send("solo", 60_000);
        assertThat(solo.calls()).as("the local breaker holds calls for openFor").hasSize(2);
        tick(3_000);
        tick(1_100);
        assertThat(solo.calls()).hasSize(3);
    }
}
