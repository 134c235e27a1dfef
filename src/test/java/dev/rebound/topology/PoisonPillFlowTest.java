package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.CallSpec;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.lifecycle.Lifecycle;
import dev.rebound.request.Json;
import dev.rebound.testkit.ControlledExecutor;
import dev.rebound.testkit.Ttd;
import io.micrometer.core.instrument.Meter;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "No poison pill" (DESIGN §7) on the real topology: whatever is accepted at the door can be
 * stored, retried and answered; no answer, no bug in one request and no garbage on a compacted
 * topic can cost another request its terminal record.
 */
class PoisonPillFlowTest {

    private static final String SECRET = "sk-live-SECRET-123456";
    private static final String YAML = """
            kafka: { application.id: poison-test }
            limits: { defaultTimeout: 30s }
            targets:
              llm:
                url: http://127.0.0.1:1/llm
                headers: { anthropic-version: "2023-06-01", Authorization: "Bearer %s" }
                timeout: 2s
                maxInFlight: 1
                retry: { maxAttempts: 3, initialDelay: 1s, jitter: none, adaptive: { enabled: false } }
                circuit: { enabled: false }
                fallback:
                  - { on: [RESPONSE_TOO_LARGE], static: { short: true } }
              plain:
                url: http://127.0.0.1:1/plain
                timeout: 2s
                retry: { maxAttempts: 2, initialDelay: 1s, jitter: none, adaptive: { enabled: false } }
            """.formatted(SECRET);

    @TempDir
    Path stateDir;

    private final ControlledExecutor llm = new ControlledExecutor();
    private final ControlledExecutor plain = new ControlledExecutor();
    private Ttd ttd;

    private Ttd start(final Function<CallSpec, CompletableFuture<CallOutcome>> llmCalls) {
        ttd = new Ttd(YAML, t -> t.name().equals("llm") ? llmCalls::apply : plain, stateDir, 7);
        return ttd;
    }

    private Ttd start() {
        return start(llm::call);
    }

    @AfterEach
    void stop() {
        if (ttd != null) {
            ttd.close();
        }
    }

    @Test
    void shouldNeverRewriteIdsOrAnswersThatContainANonSecretHeaderValueButMaskTheCredential() {
        start();
        ttd.send("k", "{\"id\":\"req-2023-06-01\",\"target\":\"llm\",\"payload\":{\"q\":\"2023-06-01\"}}");
        llm.fail(0, 503, "{\"error\":{\"type\":\"server_error\",\"message\":\"down; your key " + SECRET + "\"}}");
        ttd.tick(10);
        ttd.tick(1_100); // the retry, through the delay tier and back
        assertThat(llm.calls()).hasSize(2);
        llm.succeed(1, "{\"text\":\"as of 2023-06-01\",\"echo\":\"Bearer " + SECRET + "\"}");
        ttd.tick(10);

        final List<JsonNode> results = Ttd.read(ttd.results);
        assertThat(results).hasSize(1);
        final JsonNode r = results.get(0);
        assertThat(r.path("id").asText()).isEqualTo("req-2023-06-01");
        assertThat(r.path("response").path("text").asText()).isEqualTo("as of 2023-06-01");
        assertThat(r.path("response").path("echo").asText()).isEqualTo("***"); // the whole header value is the secret
        assertThat(r.path("lastError").path("message").asText()).contains("***").doesNotContain(SECRET);
        assertThat(r.toString()).doesNotContain(SECRET);
    }

    /** Root object, payload object, then arrays: {@code arrays + 2} levels in all. */
    private static String nested(final String id, final int arrays) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\",\"payload\":{\"a\":" + "[".repeat(arrays) + "1" + "]".repeat(arrays) + "}}";
    }

    @Test
    void shouldStoreRetryAndAnswerARequestAtTheNestingLimitAndRejectOneLevelDeeper() {
        start();
        ttd.send("k", nested("deep", Json.MAX_NESTING - 2));
        ttd.send("k", nested("too-deep", Json.MAX_NESTING - 1));
        assertThat(Ttd.read(ttd.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.path("reason").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(d.path("message").asText()).containsIgnoringCase("nesting");
        });
        llm.fail(0, 503, "down");
        ttd.tick(10);
        ttd.tick(1_100); // the entry, one level deeper than the request, went to the tier topic and the store and came back
        assertThat(llm.calls()).hasSize(2);
        assertThat(new String(llm.call(1).spec().body(), StandardCharsets.UTF_8)).startsWith("{\"a\":[[[");
        llm.fail(1, 400, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"no\"}}");
        ttd.tick(10);
        final JsonNode dl = Ttd.read(ttd.deadLetters).get(0);
        assertThat(dl.path("id").asText()).isEqualTo("deep");
        assertThat(dl.path("attempts")).hasSize(2);
        assertThat(dl.path("request").path("payload").path("a").isArray()).isTrue();
    }

    @Test
    void shouldTreatAnAnswerTooLargeForOneRecordAsItsOwnFailureServedByTheFallback() {
        start();
        final String huge = "\\u0001".repeat(200_000); // 1.2 MB once escaped in the result
        ttd.send("k", "{\"id\":\"big\",\"target\":\"llm\",\"payload\":{}}");
        ttd.send("k", "{\"id\":\"big-plain\",\"target\":\"plain\",\"payload\":{}}");
        llm.succeed(0, "{\"text\":\"" + huge + "\"}");
        plain.succeed(0, "{\"text\":\"" + huge + "\"}");
        ttd.tick(10);
        ttd.tick(1_100);

        assertThat(Ttd.read(ttd.results)).singleElement().satisfies(r -> {
            assertThat(r.path("id").asText()).isEqualTo("big");
            assertThat(r.path("outcome").asText()).isEqualTo("FALLBACK");
            assertThat(r.path("servedBy").asText()).isEqualTo("static");
            assertThat(r.path("lastError").path("category").asText()).isEqualTo("RESPONSE_TOO_LARGE");
        });
        assertThat(Ttd.read(ttd.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.path("id").asText()).isEqualTo("big-plain");
            assertThat(d.path("reason").asText()).isEqualTo("NON_RETRYABLE");
            assertThat(d.path("category").asText()).isEqualTo("RESPONSE_TOO_LARGE");
        });
        assertThat(llm.calls()).as("not retried: the same call gives the same answer").hasSize(1);
        assertThat(plain.calls()).hasSize(1);
    }

    /** An answer that cannot be written: serializing it throws, as a bug in Rebound's own code would. */
    private static CallOutcome poisoned() {
        return new CallOutcome.Success(200, new POJONode(new Object() {
            @SuppressWarnings("unused")
            public String getText() {
                throw new IllegalStateException("a bug that only this request meets");
            }
        }), Instant.now(), 1);
    }

    @Test
    void shouldDeadLetterOnlyTheRequestWhoseHandlingThrowsAndNeverCallItAgain() {
        start();
        ttd.send("k", "{\"id\":\"ok-1\",\"target\":\"plain\",\"payload\":{}}");
        ttd.send("k", "{\"id\":\"boom\",\"target\":\"plain\",\"payload\":{}}");
        ttd.send("k", "{\"id\":\"ok-2\",\"target\":\"plain\",\"payload\":{}}");
        plain.succeed(0, "{\"n\":1}");
        plain.call(1).future().complete(poisoned());
        plain.succeed(2, "{\"n\":2}");
        ttd.tick(10);
        ttd.send("k", "{\"id\":\"boom\",\"target\":\"plain\",\"payload\":{}}");
        ttd.tick(10);

        assertThat(Ttd.read(ttd.results)).extracting(r -> r.path("id").asText()).containsExactly("ok-1", "ok-2");
        final List<JsonNode> dls = Ttd.read(ttd.deadLetters);
        assertThat(dls).as("the failure, then the same dead letter again for the repeated id").hasSize(2).allSatisfy(d -> {
            assertThat(d.path("id").asText()).isEqualTo("boom");
            assertThat(d.path("reason").asText()).isEqualTo("PROCESSING_ERROR");
            assertThat(d.path("message").asText()).contains("this is a bug");
        });
        assertThat(plain.calls()).extracting(c -> c.spec().requestId()).containsExactly("ok-1", "boom", "ok-2");
    }

    @Test
    void shouldEndTheAttemptOfAnExecutorThatThrowsInsteadOfAnswering() {
        start(spec -> {
            throw new IllegalStateException("executor broken");
        });
        ttd.send("k", "{\"id\":\"a\",\"target\":\"llm\",\"payload\":{}}");
        ttd.send("k", "{\"id\":\"b\",\"target\":\"llm\",\"payload\":{}}"); // waits in line for the slot a's call held
        ttd.tick(10);
        ttd.tick(10);
        assertThat(Ttd.read(ttd.deadLetters)).hasSize(2).allSatisfy(d -> {
            assertThat(d.path("reason").asText()).isEqualTo("NON_RETRYABLE");
            assertThat(d.path("message").asText()).contains("executor broken");
        });
    }

    @Test
    void shouldEndARequestWithoutDeadlineAtTheDefaultTimeoutInsteadOfWaitingForEver() {
        start();
        ttd.control("plain", "{\"disabled\":true,\"reason\":\"maintenance\"}");
        ttd.send("k", "{\"id\":\"patient\",\"target\":\"plain\",\"payload\":{}}");
        for (int s = 0; s < 40 && ttd.deadLetters.isEmpty(); s++) {
            ttd.tick(1_000);
        }
        assertThat(plain.calls()).isEmpty();
        assertThat(Ttd.read(ttd.deadLetters)).singleElement().satisfies(d -> {
            assertThat(d.path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(d.path("message").asText()).contains("maintenance");
        });
    }

    @Test
    void shouldTagMetricsOfRejectedRequestsWithConfiguredTargetNamesOnly() {
        start();
        final String raw = "x".repeat(5_000);
        ttd.send("k", "{\"id\":\"r\",\"target\":\"" + raw + "\",\"payload\":{}}");
        assertThat(Ttd.read(ttd.deadLetters)).singleElement().satisfies(d -> assertThat(d.path("reason").asText()).isEqualTo("UNKNOWN_TARGET"));
        final List<Meter> meters = ttd.metrics.registry().getMeters();
        assertThat(meters).noneMatch(m -> m.getId().getTags().stream().anyMatch(t -> t.getValue().contains(raw)));
        assertThat(meters).anyMatch(m -> m.getId().getName().equals("rebound.terminal") && "unknown".equals(m.getId().getTag("target")));
    }

    @Test
    void shouldSkipGarbageOnTheCompactedTopicsAndKeepThePreviousState() {
        start();
        final TestInputTopic<String, byte[]> circuits = ttd.driver.createInputTopic(new Topics("").circuits(), new StringSerializer(),
                new ByteArraySerializer());
        ttd.control("plain", "{\"disabled\":true,\"reason\":\"maintenance\"}");
        ttd.control.pipeInput("plain", new byte[] {(byte) 0xff, 0x00, 0x7b});
        ttd.control("plain", "[1,2,3]");
        ttd.control("plain", "null");
        ttd.control("plain", "{}"); // no "disabled": not a switch, not an enable
        ttd.control.pipeInput(null, "{\"disabled\":false}".getBytes(StandardCharsets.UTF_8));
        circuits.pipeInput("llm", "{\"state\":\"SIDEWAYS\"".getBytes(StandardCharsets.UTF_8));
        circuits.pipeInput("llm", "\"just a string\"".getBytes(StandardCharsets.UTF_8));
        circuits.pipeInput("llm", "{}".getBytes(StandardCharsets.UTF_8));
        circuits.pipeInput("llm", "{\"state\":\"OPEN\",\"trafficPercent\":700}".getBytes(StandardCharsets.UTF_8));
        ttd.send("k", "{\"id\":\"still-disabled\",\"target\":\"plain\",\"payload\":{}}");
        ttd.send("k", "{\"id\":\"flows\",\"target\":\"llm\",\"payload\":{}}");
        ttd.tick(10);
        assertThat(plain.calls()).as("the valid disable before the garbage still holds").isEmpty();
        llm.succeed(0, "{}");
        ttd.tick(10);
        assertThat(Ttd.read(ttd.results)).extracting(r -> r.path("id").asText()).containsExactly("flows");
    }

    @Test
    void shouldParkWhatDoesNotFitTheLineAndStillAnswerEveryRequestWithOneCallAtATime() {
        start();
        final int n = 1 + CallDispatcher.MAX_WAITING_PER_TARGET + 143; // 1 running, a full line, 143 parked
        for (int i = 0; i < n; i++) {
            ttd.send("k", "{\"id\":\"q-" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        for (int round = 0; round < 5_000 && answered() < n; round++) {
            assertThat(llm.calls().stream().filter(c -> !c.future().isDone()).count()).as("calls running at once").isLessThanOrEqualTo(1);
            llm.calls().stream().filter(c -> !c.future().isDone()).forEach(c -> c.future().complete(
                    new CallOutcome.Success(200, Json.MAPPER.createObjectNode(), Instant.now(), 1)));
            ttd.tick(10);
        }
        assertThat(answered()).isEqualTo(n);
        assertThat(llm.calls()).hasSize(n);
    }

    @Test
    void shouldCallParkedRequestsInTheOrderTheyCameAsSoonAsTheLineHasRoomNotAtTheirTimers() {
        start();
        final int n = 1 + CallDispatcher.MAX_WAITING_PER_TARGET + 143; // 1 running, a full line, 143 parked (timers of 1-2 s)
        for (int i = 0; i < n; i++) {
            ttd.send("k", "{\"id\":\"q-" + i + "\",\"target\":\"llm\",\"payload\":{}}");
        }
        long elapsedMs = 0;
        for (int round = 0; round < 100 && answered() < n; round++) {
            // finishing the running call starts the next in line from its callback: work the line off, then let a punctuation run
            for (int running = runningCall(); running >= 0; running = runningCall()) {
                llm.calls().get(running).future().complete(
                        new CallOutcome.Success(200, Json.MAPPER.createObjectNode(), Instant.now(), 1));
            }
            ttd.tick(5);
            elapsedMs += 5;
        }
        assertThat(answered()).isEqualTo(n);
        assertThat(elapsedMs).as("every request answered before the first park timer could fire")
                .isLessThan(Lifecycle.PARK.toMillis());
        assertThat(llm.calls()).extracting(c -> c.spec().requestId()).as("called first come, first served, parked or not")
                .isEqualTo(IntStream.range(0, n).mapToObj(i -> "q-" + i).toList());
    }

    private int runningCall() {
        final List<ControlledExecutor.Call> calls = llm.calls();
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (!calls.get(i).future().isDone()) {
                return i;
            }
        }
        return -1;
    }

    private int answeredSoFar;

    private int answered() {
        answeredSoFar += ttd.results.readRecordsToList().size();
        return answeredSoFar;
    }
}
