package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Instances;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processor instances, six partitions, one target that fails every call: with the cluster-wide
 * circuit, the calls made before every task fails fast are the threshold plus what the propagation
 * delay lets through; with per-task breakers ({@code scope: task}) every task pays the threshold.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterCircuitIntegrationTest {

    private static final int THRESHOLD = 5;
    private static final int REQUESTS = 120;
    private static final long GAP_MS = 50;

    @TempDir
    Path dir;

    record Run(long calls, Instant openedAt, long lastCallAtMs, long circuitOpenDeadLetters) {
    }

    private Run run(final String scope) throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(6);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 3)) {
            final String yaml = IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve(scope + "-a"), sim.port(), 8)
                    .replace("circuit: { enabled: false }", "circuit: { consecutiveFailures: " + THRESHOLD
                            + ", minCalls: 1000, openFor: 60s, scope: " + scope + " }")
                    .replace("retry: { maxAttempts: 3,", "retry: { maxAttempts: 1,");
            final ReboundConfig a = IntegrationConfig.parse(yaml);
            final ReboundConfig b = IntegrationConfig.parse(yaml.replace(scope + "-a", scope + "-b"));
            try (ReboundStreams first = Instances.start(a); ReboundStreams second = Instances.start(b);
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
                 TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
                Instances.awaitActive(first, second);
                // warm-up: healthy traffic through every task, so that what is measured is the steady
                // state and not the JIT compiling two Kafka Streams instances and a broker on two cores
                trickle(requests, "warm", "{\"latencyMs\":10}");
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == REQUESTS;
                });
                final long warmCalls = sim.calls();
                // the outage: every call fails, one request every 50 ms spread over the six partitions
                trickle(requests, "down", "{\"status\":503,\"latencyMs\":10}");
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == 2 * REQUESTS;
                });
                counter.poll(Duration.ofMillis(500));
                assertThat(counter.duplicated()).isZero();
                if (scope.equals("cluster")) {
                    assertRegistryView(first);
                }
                return new Run(sim.calls() - warmCalls, openedAt(kafka, topics), sim.lastCallAtMs(),
                        counter.reasons().getOrDefault("CIRCUIT_OPEN", 0L));
            }
        }
    }

    /** {@code /circuits} on either instance shows the open circuit; the owner's instance adds its live window. */
    private static void assertRegistryView(final ReboundStreams instance) throws Exception {
        final ReboundMetrics metrics = new ReboundMetrics();
        try (OpsServer ops = OpsServer.start("127.0.0.1", 0, metrics, instance)) {
            final String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ops.port() + "/circuits")).build(), HttpResponse.BodyHandlers.ofString()).body();
            final JsonNode llm = Json.MAPPER.readTree(body).get(0);
            assertThat(llm.path("target").asText()).isEqualTo("llm");
            assertThat(llm.path("state").asText()).isEqualTo("OPEN");
            assertThat(llm.path("reason").asText()).isEqualTo(THRESHOLD + " consecutive failures");
        }
    }

    private static void trickle(final Requests requests, final String phase, final String script) throws InterruptedException {
        for (int i = 0; i < REQUESTS; i++) {
            requests.send(i % 6, phase + i, Requests.scripted(phase + "-" + i, "llm", script, 3_000));
            requests.flush();
            TimeUnit.MILLISECONDS.sleep(GAP_MS);
        }
    }


    private static Instant openedAt(final TestBroker kafka, final Topics topics) {
        for (final ConsumerRecord<String, byte[]> r : TopicSnapshot.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), topics.circuits(), Duration.ofSeconds(30))) {
            final JsonNode v = Json.read(r.value(), JsonNode.class);
            if ("OPEN".equals(v.path("state").asText())) {
                return Instant.parse(v.path("since").asText());
            }
        }
        return null;
    }

    @Test
    void shouldStopCallingAfterTheThresholdPlusPropagationNotOncePerTask() throws Exception {
        final Run cluster = run("cluster");
        final Run perTask = run("task");
        final long propagationMs = cluster.lastCallAtMs() - cluster.openedAt().toEpochMilli();
        System.out.printf("circuit comparison: cluster-wide %d calls (circuit opened, last call %d ms later); per-task %d calls%n",
                cluster.calls(), propagationMs, perTask.calls());

        assertThat(cluster.openedAt()).as("the owner opened the circuit").isNotNull();
        assertThat(cluster.calls()).as("threshold + propagation allowance").isLessThanOrEqualTo(THRESHOLD + 15);
        assertThat(cluster.circuitOpenDeadLetters()).isEqualTo(REQUESTS - cluster.calls());
        assertThat(perTask.calls()).as("six tasks, each paying the threshold").isGreaterThanOrEqualTo(6L * THRESHOLD);
        assertThat(perTask.openedAt()).as("scope task publishes nothing").isNull();
    }
}
