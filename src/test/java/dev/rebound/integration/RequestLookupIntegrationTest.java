package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.StreamsSettings;
import dev.rebound.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code rebound request} against two processor instances on six partitions: one request of each
 * state (waiting for a retry, deferred because an operator disabled its target, in flight on a
 * stalled call, finished, unknown) is asked of BOTH instances' ops endpoints. Each answer comes
 * from the instance that owns the request's key (named in {@code answeredBy}); the other instance
 * forwards, and both say the same. Last, with one instance's ops endpoint closed, the other answers
 * 502 naming it for a key that instance owns.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RequestLookupIntegrationTest {

    /** The fields both instances must agree on (timings such as dueInMs and forMs move while they are asked). */
    private static final List<String> SAME = List.of("id", "key", "status", "why", "reason", "attempt", "stageTarget", "since",
            "outcome", "servedBy", "partition", "answeredBy");

    @TempDir
    Path dir;

    /** One instance: its ops endpoint bound first, so that application.server names the port it got. */
    private record Instance(OpsServer ops, ReboundStreams streams) implements AutoCloseable {
        static Instance start(final ReboundConfig config) throws Exception {
            final OpsServer ops = OpsServer.bind("127.0.0.1", 0);
            final ReboundMetrics metrics = new ReboundMetrics();
            final ReboundStreams streams = ReboundStreams.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(),
                    Clock.systemUTC()), metrics, StreamsSettings.opsServer(config, "127.0.0.1", ops.port()));
            ops.serve(metrics, streams);
            return new Instance(ops, streams);
        }

        String url() {
            return "http://127.0.0.1:" + ops.port();
        }

        boolean hasTasks() {
            return streams.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum() > 0;
        }

        @Override
        public void close() {
            streams.close();
            ops.close(); // a second stop, for the instance whose endpoint the test closed, is harmless
        }
    }

    /** The exit code and JSON answer of {@code rebound request ID --key K --ops URL --json}. */
    private record Asked(int code, JsonNode answer) {
    }

    @Test
    void shouldAnswerTheSameForEachStateFromEitherInstanceByForwardingToTheKeysOwner() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(6);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 5);
             Requests requests = new Requests(kafka.bootstrapServers(), topics.calls())) {
            final String yaml = IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("a"), sim.port(), 8) + """
                      slow:
                        url: http://127.0.0.1:%1$d/v1/chat
                        timeout: 60s
                        retry: { maxAttempts: 1, adaptive: { enabled: false } }
                        circuit: { enabled: false }
                      patient:
                        url: http://127.0.0.1:%1$d/v1/chat
                        retry: { maxAttempts: 3, initialDelay: 90s, multiplier: 1.0, maxDelay: 90s, jitter: none,
                                 adaptive: { enabled: false } }
                        budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                        circuit: { enabled: false }
                      paused:
                        url: http://127.0.0.1:%1$d/v1/chat
                        circuit: { enabled: false }
                    """.formatted(sim.port());
            final ReboundConfig a = IntegrationConfig.parse(yaml);
            final ReboundConfig b = IntegrationConfig.parse(yaml.replace(dir.resolve("a").toString(), dir.resolve("b").toString()));
            // the operator's switch is on agent-control before either instance starts: read into the global store before RUNNING
            try (Requests control = new Requests(kafka.bootstrapServers(), topics.control())) {
                control.send("paused", "{\"disabled\":true,\"reason\":\"maintenance\",\"at\":\"" + Instant.now() + "\"}");
                control.flush();
            }
            try (Instance first = Instance.start(a); Instance second = Instance.start(b)) {
                first.streams().awaitRunning(Duration.ofSeconds(60));
                second.streams().awaitRunning(Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(30)).until(() -> first.hasTasks() && second.hasTasks()
                        && first.streams().streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING
                        && second.streams().streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);

                final String stalledKey = "session/7 ü+%"; // URL-unsafe on purpose
                requests.send(stalledKey, Requests.scripted("stalled-1", "slow", "{\"latencyMs\":20000}", 120_000));
                requests.send("session-r", Requests.scripted("retry-1", "patient", "{\"status\":503}", 240_000));
                requests.send("session-d", Requests.scripted("paused-1", "paused", "", 240_000));
                requests.send("done-1", Requests.scripted("done-1", "llm", "")); // key = id, as `rebound send` without --key
                requests.flush();

                final Asked stalled = agreed(first, second, "stalled-1", stalledKey, "IN_FLIGHT");
                assertThat(stalled.answer().path("attempt").asInt()).isEqualTo(1);
                assertThat(stalled.answer().path("stageTarget").asText()).isEqualTo("slow");
                assertThat(Instant.parse(stalled.answer().path("since").asText())).isBefore(Instant.now());

                final Asked retry = agreed(first, second, "retry-1", "session-r", "WAITING");
                assertThat(retry.answer().path("why").asText()).isEqualTo("RETRY");
                assertThat(retry.answer().path("reason").asText()).startsWith("attempt 1 failed with SERVER_ERROR (HTTP 503)");
                assertThat(retry.answer().path("attempt").asInt()).as("the attempt that is next").isEqualTo(2);
                assertThat(Duration.between(Instant.now(), Instant.parse(retry.answer().path("dueAt").asText())))
                        .isBetween(Duration.ofSeconds(30), Duration.ofSeconds(91));

                final Asked deferred = agreed(first, second, "paused-1", "session-d", "WAITING");
                assertThat(deferred.answer().path("why").asText()).isEqualTo("DEFERRED");
                assertThat(deferred.answer().path("reason").asText()).isEqualTo("paused is disabled by an operator: maintenance");
                assertThat(deferred.answer().path("attempt").asInt()).isEqualTo(1);

                final Asked done = agreed(first, second, "done-1", null, "FINISHED");
                assertThat(done.answer().path("outcome").asText()).isEqualTo("SUCCEEDED");
                assertThat(done.answer().path("servedBy").asText()).isEqualTo("llm");
                assertThat(done.answer().path("record").path("id").asText()).isEqualTo("done-1");

                final Asked unknown = agreed(first, second, "never-sent", null, "UNKNOWN");
                assertThat(unknown.code()).isEqualTo(3);

                final Cli.Run human = Cli.rebound("request", "retry-1", "--key", "session-r", "--ops", first.url());
                System.out.println("rebound request retry-1 --key session-r:\n" + human.out());
                assertThat(human.code()).isZero();
                assertThat(human.out()).contains("WAITING", "why:       RETRY: attempt 1 failed with SERVER_ERROR", "next:      attempt 2 to patient");

                assertThat(sim.calls()).as("the stalled call is still the only one to slow; nothing was called twice").isEqualTo(3);

                // the owner unreachable: the other instance answers 502 naming it
                final Instance owner = done.answer().path("answeredBy").asText().endsWith(":" + first.ops().port()) ? first : second;
                final Instance other = owner == first ? second : first;
                owner.ops().close();
                final Cli.Run refused = Cli.rebound("request", "done-1", "--ops", other.url());
                System.out.println("with the owner's endpoint closed:\n" + refused.err());
                assertThat(refused.code()).isEqualTo(1);
                assertThat(refused.err()).contains("502", "127.0.0.1:" + owner.ops().port(), "did not answer");
            }
        }
    }

    /**
     * Asks both instances until the request is in {@code status}; then both answers agree on every
     * field of {@link #SAME}, exactly one was forwarded, and the exit code is 0 (3 for unknown).
     */
    private static Asked agreed(final Instance first, final Instance second, final String id, final String key, final String status) {
        final Asked[] both = new Asked[2];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            both[0] = ask(first, id, key);
            both[1] = ask(second, id, key);
            return status.equals(both[0].answer().path("status").asText()) && status.equals(both[1].answer().path("status").asText());
        });
        for (final String field : SAME) {
            assertThat(both[1].answer().path(field)).as("%s of %s from either instance", field, id).isEqualTo(both[0].answer().path(field));
        }
        assertThat(both[0].answer().has("forwardedBy") ^ both[1].answer().has("forwardedBy")).as("one instance forwarded " + id).isTrue();
        assertThat(both[0].code()).isEqualTo(both[1].code()).isEqualTo("UNKNOWN".equals(status) ? 3 : 0);
        final Cli.Run human = key == null ? Cli.rebound("request", id, "--ops", second.url())
                : Cli.rebound("request", id, "--key", key, "--ops", second.url());
        System.out.println("rebound request " + id + ":\n" + human.out() + "--json:\n" + both[1].answer().toPrettyString());
        assertThat(human.out().lines().findFirst().orElse("")).endsWith("): " + status.replace('_', ' '));
        return both[0];
    }

    private static Asked ask(final Instance instance, final String id, final String key) throws Exception {
        final Cli.Run run = key == null ? Cli.rebound("request", id, "--ops", instance.url(), "--json")
                : Cli.rebound("request", id, "--key", key, "--ops", instance.url(), "--json");
        assertThat(run.code()).as("rebound request %s: %s", id, run.err()).isIn(0, 3);
        return new Asked(run.code(), Json.MAPPER.readTree(run.out()));
    }
}
