package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rebound.demo.CompactedGarbage;
import dev.rebound.demo.LimitRequests;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.sim.Misbehaviour;
import dev.rebound.sim.SimScenario;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.LiveRebound;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Issue #12 ("No poison pills") on a real broker: the chaos simulator (flaky failures plus stalled
 * bodies, unanswered requests, oversized and non-JSON answers, connections closed mid-body), valid
 * requests at the nesting and size limits, a non-secret header value in ids and answers, a secret
 * header quoted back in error messages, garbage on both compacted topics, and a restart of the
 * processor in the middle. Every request must end with exactly one terminal record, and healthy
 * requests sent afterwards must flow on every partition.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChaosIntegrationTest {

    private static final int PARTITIONS = 3;
    private static final String HEADER_VALUE = "2023-06-01";
    private static final String TOKEN = "sk-chaos-SECRET-0123456789";
    /** Far beyond the waits below: a stalled call must end by the target's 2 s timeout, not by the request's deadline. */
    private static final long TIMEOUT_MS = 120_000;

    @TempDir
    Path dir;

    private static String yaml(final String bootstrap, final String prefix, final Path state, final int port) {
        // a short session, as IntegrationConfig.yaml has, so that the restart does not wait out a departed member
        final String header = IntegrationConfig.header(bootstrap, prefix, state)
                .replace("kafka:\n", "kafka:\n  consumer.session.timeout.ms: \"6000\"\n  consumer.heartbeat.interval.ms: \"1000\"\n");
        return header + """
                targets:
                  llm:
                    url: http://127.0.0.1:%d/v1/chat
                    headers:
                      anthropic-version: "%s"
                      Authorization: "Bearer %s"
                    timeout: 2s
                    maxInFlight: 16
                    retry: { maxAttempts: 2, initialDelay: 200ms, jitter: none, adaptive: { enabled: false } }
                    budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                    circuit: { consecutiveFailures: 100, failureRate: 1.0, minCalls: 1000, openFor: 1s }
                    fallback:
                      - { target: backup }
                      - { static: { content: "busy, try again shortly" } }
                  backup:
                    url: http://127.0.0.1:%d/v1/backup
                    timeout: 2s
                """.formatted(port, HEADER_VALUE, TOKEN, port);
    }

    private static String request(final String id, final String script, final boolean timeout) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\"," + (timeout ? "\"timeoutMs\":" + TIMEOUT_MS + "," : "")
                + "\"payload\":{\"q\":\"" + id + "\"" + (script.isEmpty() ? "" : ",\"simulate\":" + script) + "}}";
    }

    @Test
    void shouldAnswerEveryRequestExactlyOnceThroughMisbehavingTargetsGarbageAndARestart() throws Exception {
        try (LiveRebound live = LiveRebound.start(dir, PARTITIONS, SimScenario.named("chaos"), 12, ChaosIntegrationTest::yaml)) {
            final String bootstrap = SharedKafka.get().bootstrapServers();
            final Map<String, String> batch = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                batch.put("chaos-" + i, request("chaos-" + i, "", true));
            }
            for (int i = 0; i < 3; i++) {
                batch.put("no-deadline-" + i, request("no-deadline-" + i, "", false));
            }
            for (final Misbehaviour m : Misbehaviour.values()) {
                batch.put("mis-" + m.scriptName(), request("mis-" + m.scriptName(), "{\"" + m.scriptName() + "\":true}", true));
            }
            final List<String> headerValueIds = List.of("hv-" + HEADER_VALUE + "-0", "hv-" + HEADER_VALUE + "-1", "hv-" + HEADER_VALUE + "-retried");
            batch.put(headerValueIds.get(0), request(headerValueIds.get(0), "{\"echo\":[\"anthropic-version\"]}", true));
            batch.put(headerValueIds.get(1), request(headerValueIds.get(1), "{\"echo\":[\"anthropic-version\"]}", true));
            batch.put(headerValueIds.get(2), request(headerValueIds.get(2), "{\"status\":503,\"failTimes\":1,\"echo\":[\"anthropic-version\"]}", true));
            batch.put("secret-401", request("secret-401", "{\"status\":401,\"echo\":[\"Authorization\"]}", true));
            batch.put("secret-503", request("secret-503", "{\"status\":503,\"echo\":[\"Authorization\"]}", true));
            batch.put("deep", LimitRequests.deepest("deep", "llm", TIMEOUT_MS, "{\"status\":503,\"failTimes\":1}"));
            batch.put("big", LimitRequests.atPayloadLimit("big", "llm", TIMEOUT_MS, "{\"status\":503,\"failTimes\":1}",
                    live.reboundConfig().limits()));

            // given garbage on both compacted topics before the load
            final List<CompactedGarbage.Written> garbage = new ArrayList<>();
            garbage.addAll(writeGarbage(bootstrap, live));

            // when the load runs, and the processor is restarted in the middle with more garbage written while it is down
            final Requests requests = live.requests();
            batch.forEach(requests::send);
            requests.flush();
            awaitTerminal(live.counter(), batch.size() / 3, batch.keySet(), Duration.ofSeconds(20));
            live.stopProcessor();
            garbage.addAll(writeGarbage(bootstrap, live));
            live.startProcessor();
            final List<String> missing = awaitTerminal(live.counter(), batch.size(), batch.keySet(), Duration.ofSeconds(30));

            // and healthy requests follow on every partition
            final List<String> after = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                for (int k = 0; k < 2; k++) {
                    final String id = "after-" + p + "-" + k;
                    after.add(id);
                    requests.send(p, id, request(id, "{\"status\":200}", true));
                }
            }
            requests.flush();
            final List<String> afterMissing = awaitTerminal(live.counter(), after.size(), after, Duration.ofSeconds(20));
            live.counter().poll(Duration.ofSeconds(1)); // a duplicate would come after the first copy

            // then every request has exactly one terminal record (soft assertions: a failure report names every broken promise)
            final TerminalCounter counter = live.counter();
            final Function<String, JsonNode> last = id -> counter.has(id) ? counter.last(id)
                    : MissingNode.getInstance();
            final SoftAssertions softly = new SoftAssertions();
            softly.assertThat(missing).as("requests of the chaos batch without a terminal record").isEmpty();
            softly.assertThat(counter.duplicated()).as("requests with more than one terminal record").isZero();
            for (final String id : batch.keySet()) {
                if (!id.equals("secret-401") && counter.has(id)) {
                    softly.assertThat(last.apply(id).path("outcome").asText()).as(id + " answered with a result: " + clip(last.apply(id)))
                            .isIn("SUCCEEDED", "FALLBACK");
                }
                softly.assertThat(live.sim().calls(id)).as(id + ": calls to the primary (2 attempts, one more after the restart at most)")
                        .isLessThanOrEqualTo(4);
            }
            // every misbehaving call ended by the target's timeout (2 attempts of at most 2 s, a restart), not by the deadline
            for (final Misbehaviour m : Misbehaviour.values()) {
                final JsonNode r = last.apply("mis-" + m.scriptName());
                softly.assertThat(r.path("latencyMs").asLong(Long.MAX_VALUE)).as("mis-" + m.scriptName() + ": " + clip(r))
                        .isLessThan(30_000);
            }
            // the requests at the limits were stored, retried and answered
            for (final String id : List.of("deep", "big")) {
                softly.assertThat(last.apply(id).path("outcome").asText()).as(id + ": " + clip(last.apply(id))).isEqualTo("SUCCEEDED");
                softly.assertThat(last.apply(id).path("attempts").asInt()).as(id + ": one failure, then the retry").isEqualTo(2);
            }
            // a header value that is configuration, not a secret, is never masked
            for (final String id : headerValueIds) {
                final JsonNode r = last.apply(id);
                softly.assertThat(r.path("id").asText()).as(id + ": the id as sent").isEqualTo(id);
                softly.assertThat(r.path("outcome").asText()).as(id).isEqualTo("SUCCEEDED");
                softly.assertThat(r.path("response").path("idempotencyKey").asText()).as(id + ": the Idempotency-Key the target saw")
                        .isEqualTo(id);
                softly.assertThat(r.path("response").path("echo").path("anthropic-version").asText()).as(id + ": the echoed header")
                        .isEqualTo(HEADER_VALUE);
                softly.assertThat(r.path("response").path("choices").path(0).path("message").path("content").asText()).as(id)
                        .contains("anthropic-version: " + HEADER_VALUE);
            }
            // a secret quoted back by the target is masked wherever it lands
            final JsonNode denied = last.apply("secret-401");
            softly.assertThat(denied.path("reason").asText()).as("a dead letter: " + clip(denied)).isNotEmpty();
            softly.assertThat(denied.path("category").asText()).as("secret-401").isEqualTo("AUTHENTICATION");
            softly.assertThat(denied.path("attempts").path(0).path("message").asText()).as("secret-401").contains("Authorization: ***");
            final JsonNode degraded = last.apply("secret-503");
            softly.assertThat(degraded.path("outcome").asText()).as("secret-503: " + clip(degraded)).isEqualTo("FALLBACK");
            softly.assertThat(degraded.path("lastError").path("message").asText()).as("secret-503").contains("Authorization: ***");
            for (final String id : batch.keySet()) {
                softly.assertThat(last.apply(id).toString()).as(id + " leaks the secret").doesNotContain(TOKEN);
            }
            // the garbage was written, and stopped nothing
            softly.assertThat(garbage.stream().mapToInt(CompactedGarbage.Written::written).sum()).as("garbage records stored").isPositive();
            softly.assertThat(afterMissing).as("healthy requests after the chaos, on every partition, without a result").isEmpty();
            for (final String id : after) {
                softly.assertThat(last.apply(id).path("outcome").asText()).as(id).isEqualTo("SUCCEEDED");
            }
            softly.assertThat(live.streams().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            softly.assertAll();
        }
    }

    private static List<CompactedGarbage.Written> writeGarbage(final String bootstrap, final LiveRebound live) throws InterruptedException {
        return List.of(
                CompactedGarbage.write(bootstrap, live.topics().control(), CompactedGarbage.forControl("llm")),
                CompactedGarbage.write(bootstrap, live.topics().circuits(), CompactedGarbage.forCircuits("llm")));
    }

    /**
     * Reads until at least {@code enough} of {@code ids} have a terminal record, or {@code patience}
     * passes; returns the ids still without one (so a failure names them instead of timing out).
     */
    private static List<String> awaitTerminal(final TerminalCounter counter, final int enough, final Collection<String> ids,
                                              final Duration patience) {
        final long until = System.nanoTime() + patience.toNanos();
        List<String> missing;
        do {
            counter.poll(Duration.ofMillis(200));
            missing = ids.stream().filter(id -> !counter.has(id)).toList();
        } while (ids.size() - missing.size() < enough && System.nanoTime() < until);
        return missing;
    }

    private static String clip(final JsonNode n) {
        final String s = String.valueOf(n);
        return s.length() <= 400 ? s : s.substring(0, 400) + "...";
    }
}
