package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.ControlRecord;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.StoreNames;
import dev.rebound.topology.Topics;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #5's acceptance test on a real broker and the simulated endpoint: the primary has an
 * outage and every request still gets a {@code FALLBACK} result, from the secondary target, then
 * (the secondary disabled with {@code rebound control}) from the cache, then (no cached response
 * for the key) from the static value.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FallbackIntegrationTest {

    private static final int N = 20;

    @TempDir
    Path dir;

    private static String yaml(final String bootstrap, final String prefix, final Path state, final int port) {
        return IntegrationConfig.header(bootstrap, prefix, state) + """
                targets:
                  llm:
                    url: http://127.0.0.1:%d/v1/chat
                    timeout: 5s
                    retry: { maxAttempts: 2, initialDelay: 100ms, jitter: none, adaptive: { enabled: false } }
                    budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                    circuit: { enabled: false }
                    fallback:
                      - { target: backup }
                      - { cache: { ttl: 10m } }
                      - { static: { content: "busy, try again shortly" } }
                  backup:
                    url: http://127.0.0.1:%d/v1/backup
                    timeout: 5s
                """.formatted(port, port);
    }

    private static String request(final String id, final String cacheKey, final boolean down) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\",\"cacheKey\":\"" + cacheKey + "\",\"timeoutMs\":60000,\"payload\":{\"q\":\"" + id
                + "\"" + (down ? ",\"simulate\":{\"status\":503}" : "") + "}}";
    }

    @Test
    void shouldServeEveryRequestThroughAnOutageFromEachStepAsTheOnesBeforeItAreTakenAway() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(1); // one partition: the cache is per partition
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 5)) {
            final Path configFile = dir.resolve("rebound.yaml");
            Files.writeString(configFile, yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port()));
            final ReboundConfig config = IntegrationConfig.parse(Files.readString(configFile));
            try (ReboundStreams rebound = ReboundStreams.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(),
                    Clock.systemUTC()), new ReboundMetrics(), Map.of());
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
                 TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
                rebound.awaitRunning(Duration.ofSeconds(60));

                // before the outage: answers that the cache keeps
                phase(requests, counter, "ok", i -> request("ok-" + i, "q-" + i, false));
                for (int i = 0; i < N; i++) {
                    assertThat(counter.last("ok-" + i).path("outcome").asText()).isEqualTo("SUCCEEDED");
                }

                // the primary is down: the secondary target answers
                phase(requests, counter, "down", i -> request("down-" + i, "q-" + i, true));
                for (int i = 0; i < N; i++) {
                    final JsonNode r = counter.last("down-" + i);
                    assertThat(r.path("outcome").asText()).isEqualTo("FALLBACK");
                    assertThat(r.path("servedBy").asText()).isEqualTo("backup");
                    assertThat(r.path("degraded").asBoolean()).isTrue();
                    assertThat(r.path("attempts").asInt()).as("2 primary attempts, then the backup").isEqualTo(3);
                    assertThat(sim.calls("down-" + i)).as("primary calls").isEqualTo(2);
                }
                assertThat(sim.backupCalls()).isEqualTo(N);

                // the secondary taken away by an operator: the cache answers with the last good response
                assertThat(Cli.rebound("control", "disable", "backup", "--reason", "maintenance", "--config", configFile.toString()).code())
                        .isZero();
                final ReadOnlyKeyValueStore<String, ControlRecord> switches = rebound.streams().store(
                        StoreQueryParameters.fromNameAndType(StoreNames.CONTROL, QueryableStoreTypes.keyValueStore()));
                await().atMost(Duration.ofSeconds(30)).until(() -> switches.get("backup") != null && switches.get("backup").disabled());
                phase(requests, counter, "cached", i -> request("cached-" + i, "q-" + i, true));
                for (int i = 0; i < N; i++) {
                    final JsonNode r = counter.last("cached-" + i);
                    assertThat(r.path("servedBy").asText()).isEqualTo("cache");
                    assertThat(r.path("response").path("idempotencyKey").asText()).as("the response stored before the outage")
                            .isEqualTo("ok-" + i);
                }
                assertThat(sim.backupCalls()).as("no call to a disabled target").isEqualTo(N);

                // nothing cached for these keys: the static value
                phase(requests, counter, "static", i -> request("static-" + i, "new-" + i, true));
                for (int i = 0; i < N; i++) {
                    final JsonNode r = counter.last("static-" + i);
                    assertThat(r.path("servedBy").asText()).isEqualTo("static");
                    assertThat(r.path("response").path("content").asText()).isEqualTo("busy, try again shortly");
                }
                assertThat(counter.outcome("DEAD_LETTER")).as("no request dead-lettered").isZero();
                assertThat(counter.duplicated()).isZero();
            }
        }
    }

    private static void phase(final Requests requests, final TerminalCounter counter, final String name,
                              final IntFunction<String> request) {
        for (int i = 0; i < N; i++) {
            requests.send(name + "-" + i, request.apply(i));
        }
        requests.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            counter.poll(Duration.ofMillis(200));
            for (int i = 0; i < N; i++) {
                if (!counter.has(name + "-" + i)) {
                    return false;
                }
            }
            return true;
        });
    }
}
