package dev.rebound.integration;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.MonitoringFiles;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard and the alerting rules under {@code monitoring/} ask only for metrics that Rebound
 * exposes: one instance with its ops endpoint on the shared broker, a little traffic down every
 * path that creates a meter (a success, a retry then success, a dead letter, a circuit that opens
 * and then refuses two requests, a target paced by {@code rateLimit: { requestsPerMinute: 60, concurrency: auto }}),
 * then every metric name in every PromQL expression must be in the {@code /metrics} scrape.
 * Meters are created on first use, so a name that no traffic here creates fails too: a panel
 * that would stay empty, or an alert that could never fire.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MonitoringMetricsIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldExposeEveryMetricThatTheDashboardAndTheRulesUse() throws Exception {
        final TestBroker kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(1);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(5)), 1)) {
            final ReboundConfig config = IntegrationConfig.parse(IntegrationConfig.header(kafka.bootstrapServers(), prefix, dir)
                    + targets(sim.port()));
            final ReboundMetrics metrics = new ReboundMetrics();
            try (ReboundStreams streams = ReboundStreams.start(config,
                    TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), metrics, Map.of());
                 Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
                 TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
                streams.awaitRunning(Duration.ofSeconds(60));
                try (OpsServer ops = OpsServer.start("127.0.0.1", 0, metrics, streams)) {
                    final int sent = traffic(requests);
                    // once the owner has opened fragile's circuit, two more requests find it open: refused
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> scrape(ops.port()).contains("rebound_circuit_state{target=\"fragile\"} 2.0"));
                    requests.send("late-1", Requests.scripted("refused-1", "fragile", "", 3_000));
                    requests.send("late-2", Requests.scripted("refused-2", "fragile", "", 3_000));
                    requests.flush();
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        counter.poll(Duration.ofMillis(200));
                        return counter.terminalKeys() == sent + 2;
                    });

                    final List<String> dashboard = MonitoringFiles.dashboardExpressions();
                    final List<String> rules = MonitoringFiles.ruleExpressions();
                    // gauges of owner tasks are set on their punctuation: give them a few ticks
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        final String scrape = scrape(ops.port());
                        assertThat(MonitoringFiles.missing(dashboard, scrape)).as("dashboard metrics not in /metrics").isEmpty();
                        assertThat(MonitoringFiles.missing(rules, scrape)).as("alert rule metrics not in /metrics").isEmpty();
                    });
                    assertThat(MonitoringFiles.metricNames(dashboard)).hasSizeGreaterThan(15);
                    assertThat(counter.reasons()).as("dead letters by reason").containsKeys("NON_RETRYABLE", "RETRIES_EXHAUSTED", "CIRCUIT_OPEN");
                }
            }
        }
    }

    /**
     * {@code llm} retries and dead-letters, {@code fragile} opens its circuit on its third failure
     * in a row, {@code paced} is held to one request a second with an adaptive concurrency limit.
     */
    private static String targets(final int port) {
        return """
                targets:
                  llm:
                    url: http://127.0.0.1:%1$d/v1/chat
                    timeout: 5s
                    maxInFlight: 8
                    retry: { maxAttempts: 3, initialDelay: 200ms, multiplier: 2.0, maxDelay: 1s, jitter: none }
                    budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                    circuit: { enabled: false }
                  fragile:
                    url: http://127.0.0.1:%1$d/v1/chat
                    timeout: 5s
                    retry: { maxAttempts: 1 }
                    circuit: { consecutiveFailures: 3, minCalls: 1000, openFor: 60s }
                  paced:
                    url: http://127.0.0.1:%1$d/v1/chat
                    timeout: 5s
                    circuit: { enabled: false }
                    rateLimit: { requestsPerMinute: 60, concurrency: auto }
                """.formatted(port);
    }

    /** Sends the requests, each path once or a few times; returns how many. */
    private static int traffic(final Requests requests) {
        final List<String> sent = new ArrayList<>();
        sent.add(Requests.scripted("ok-1", "llm", ""));
        sent.add(Requests.scripted("retry-1", "llm", "{\"status\":503,\"failTimes\":1}"));
        sent.add(Requests.scripted("auth-1", "llm", "{\"status\":401}"));
        for (int i = 0; i < 3; i++) {
            sent.add(Requests.scripted("down-" + i, "fragile", "{\"status\":503}", 3_000));
        }
        for (int i = 0; i < 4; i++) {
            sent.add(Requests.scripted("paced-" + i, "paced", "", 30_000));
        }
        for (int i = 0; i < sent.size(); i++) {
            requests.send("k" + i, sent.get(i));
        }
        requests.flush();
        return sent.size();
    }

    private static String scrape(final int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
