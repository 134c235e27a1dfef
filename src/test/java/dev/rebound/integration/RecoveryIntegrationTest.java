package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.CircuitState;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.Pacer;
import dev.rebound.demo.RampShares;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.recovery.HealthState;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #6's acceptance test on a real broker and the simulated endpoint: a steady load, an outage
 * of the endpoint (and of its /health), then recovery; the share of requests admitted at each ramp
 * step is measured from the terminal records and the published timeline.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RecoveryIntegrationTest {

    private static final int RATE = 150;

    @TempDir
    Path dir;

    private static String yaml(final String bootstrap, final String prefix, final Path state, final int port) {
        return IntegrationConfig.header(bootstrap, prefix, state) + """
                targets:
                  llm:
                    url: http://127.0.0.1:%d/v1/chat
                    timeout: 2s
                    retry: { maxAttempts: 1 }
                    circuit: { consecutiveFailures: 5, minCalls: 20 }
                    recovery: { healthUrl: "http://127.0.0.1:%d/health", interval: 500ms, timeout: 1s, degradeAfter: 2,
                                recoverAfter: 2, rampSteps: [10, 25, 50, 100], stepEvery: 4s }
                    fallback:
                      - { on: [CIRCUIT_OPEN], static: { content: "not admitted" } }
                """.formatted(port, port);
    }

    @Test
    void shouldAdmitTheConfiguredShareAtEachStepAfterAnOutage() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(2);
        final Topics topics = new Topics(prefix);
        final Map<String, Object> client = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 9)) {
            final ReboundConfig config = IntegrationConfig.parse(yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port()));
            final AtomicBoolean producing = new AtomicBoolean(true);
            final AtomicInteger sent = new AtomicInteger();
            try (ReboundStreams rebound = ReboundStreams.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(),
                    Clock.systemUTC()), new ReboundMetrics(), Map.of());
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls())) {
                rebound.awaitRunning(Duration.ofSeconds(60));
                final Thread load = new Thread(() -> {
                    final Pacer pacer = new Pacer(RATE);
                    while (producing.get()) {
                        final int i = sent.getAndIncrement();
                        requests.send("k" + i, Requests.scripted("r" + i, "llm", ""));
                        pacer.awaitSlot(i + 1);
                    }
                    requests.flush();
                }, "paced-load");
                load.start();
                Thread.sleep(1_500);
                sim.outageFor(Duration.ofSeconds(8));
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> timeline(client, topics).stream().anyMatch(r -> r.state() == CircuitState.CLOSED));
                Thread.sleep(2_000);
                producing.set(false);
                load.join();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> decisions(client, topics).size() >= sent.get());
            }
            final List<CircuitRecord> timeline = timeline(client, topics);
            final List<RampShares.Decision> decisions = decisions(client, topics);
            assertThat(decisions).as("one terminal record per request").hasSize(sent.get());
            final List<RampShares.Step> steps = RampShares.measure(timeline, decisions, Duration.ofMillis(300));
            System.out.println("recovery timeline, " + RATE + " requests/s, outage 8 s, steps of 4 s:\n" + RampShares.table(steps));

            assertThat(timeline).extracting(r -> r.health() + " " + r.trafficPercent()).containsSubsequence(
                    "DEGRADED 0", "RECOVERING 10", "RECOVERING 25", "RECOVERING 50", "HEALTHY 100");
            final List<RampShares.Step> ramp = new ArrayList<>();
            for (final RampShares.Step s : steps) {
                if (s.health() == HealthState.RECOVERING) {
                    ramp.add(s);
                }
            }
            assertThat(ramp).extracting(RampShares.Step::percent).containsExactly(10, 25, 50);
            for (final RampShares.Step s : ramp) {
                assertThat(s.requests()).as("requests decided at %d%%", s.percent()).isGreaterThan(100);
                // binomial: 3.5 standard deviations of the share over this many draws (at least 5 points); a busy
                // machine produces fewer requests per step than the 600 planned, and the bound widens with it
                final double sd = 100 * Math.sqrt(s.percent() / 100.0 * (1 - s.percent() / 100.0) / s.requests());
                assertThat(s.share()).as("admitted share at %d%% over %d requests", s.percent(), s.requests())
                        .isCloseTo(s.percent(), Offset.offset(Math.max(5.0, 3.5 * sd)));
                assertThat(Duration.between(s.from(), s.to())).as("a step lasts stepEvery").isBetween(Duration.ofMillis(3_900),
                        Duration.ofMillis(5_500));
            }
            final RampShares.Step degraded = steps.stream().filter(s -> s.health() == HealthState.DEGRADED).findFirst().orElseThrow();
            assertThat(degraded.share()).as("no ordinary traffic while DEGRADED").isLessThan(2.0);
            final RampShares.Step healthy = steps.get(steps.size() - 1);
            assertThat(healthy.health()).isEqualTo(HealthState.HEALTHY);
            assertThat(healthy.share()).as("full traffic after the ramp").isEqualTo(100.0);
        }
    }

    private static List<CircuitRecord> timeline(final Map<String, Object> client, final Topics topics) {
        return TopicSnapshot.read(client, topics.circuits(), Duration.ofSeconds(20)).stream()
                .filter(r -> "llm".equals(r.key()))
                .map(r -> Json.read(r.value(), CircuitRecord.class)).toList();
    }

    /** Each terminal record: admitted when a call was made, refused when a fallback answered without one. */
    private static List<RampShares.Decision> decisions(final Map<String, Object> client, final Topics topics) {
        final List<RampShares.Decision> out = new ArrayList<>();
        for (final String topic : List.of(topics.results(), topics.deadLetters())) {
            for (final ConsumerRecord<String, byte[]> r : TopicSnapshot.read(client, topic, Duration.ofSeconds(20))) {
                final JsonNode v = Json.read(r.value(), JsonNode.class);
                final boolean called = topic.equals(topics.deadLetters()) ? v.path("attempts").size() > 0 : v.path("attempts").asInt() > 0;
                out.add(new RampShares.Decision(Instant.ofEpochMilli(r.timestamp()), called));
            }
        }
        return out;
    }
}
