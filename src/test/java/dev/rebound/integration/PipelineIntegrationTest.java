package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ops.OpsServer;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.Configs;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.testkit.TestBroker;
import dev.rebound.topology.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole pipeline on a real KRaft broker, with the real HTTP executor and the simulated endpoint. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PipelineIntegrationTest {

    @TempDir
    Path stateDir;

    private TestBroker kafka;
    private Simulator sim;
    private ReboundConfig config;
    private Topics topics;
    private String prefix;

    @BeforeEach
    void start() throws Exception {
        kafka = SharedKafka.get();
        sim = Simulator.start(0, SimScenario.named("healthy"), 11);
        prefix = SharedKafka.freshTopics(3);
        config = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, stateDir, sim.port(), 8));
        topics = new Topics(prefix);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private final ReboundMetrics metrics = new ReboundMetrics();

    private ReboundStreams rebound() throws Exception {
        return rebound(config);
    }

    private ReboundStreams rebound(final ReboundConfig config) throws Exception {
        final ReboundStreams r = ReboundStreams.start(config,
                TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), new ReboundMetrics(), Map.of());
        r.awaitRunning(Duration.ofSeconds(60));
        return r;
    }

    @Test
    void shouldGiveEveryRequestExactlyOneTerminalRecordOfTheRightKind() throws Exception {
        final String[] fates = {"", "{\"status\":503,\"failTimes\":1}", "{\"status\":401}", "{\"status\":429,\"failTimes\":1}",
                "{\"status\":503}", "{\"status\":400}", "{\"reset\":true}"};
        final String[] expected = {"SUCCEEDED", "SUCCEEDED", "NON_RETRYABLE", "SUCCEEDED", "RETRIES_EXHAUSTED", "NON_RETRYABLE",
                "RETRIES_EXHAUSTED"};
        final int[] calls = {1, 2, 1, 2, 3, 1, 3};
        final int n = 70;
        try (ReboundStreams rebound = ReboundStreams.start(config,
                TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), metrics, Map.of());
             OpsServer ops = OpsServer.start("127.0.0.1", 0, metrics, rebound);
             Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            rebound.awaitRunning(Duration.ofSeconds(60));
            for (int i = 0; i < n; i++) {
                requests.send("k" + i, Requests.scripted("id-" + i, "llm", fates[i % fates.length]));
            }
            requests.send("bad-json", "{\"id\": \"x\", ");
            requests.send("bad-target", Requests.scripted("id-bad", "nope", ""));
            requests.flush();

            await().atMost(Duration.ofSeconds(90)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.terminalKeys() == n + 2;
            });
            counter.poll(Duration.ofSeconds(1));

            assertThat(counter.duplicated()).isZero();
            for (int i = 0; i < n; i++) {
                final JsonNode v = counter.last("k" + i);
                final String got = v.has("reason") ? v.path("reason").asText() : v.path("outcome").asText();
                assertThat(got).as("request %d with fate %s", i, fates[i % fates.length]).isEqualTo(expected[i % fates.length]);
                assertThat(sim.calls("id-" + i)).as("calls for request %d with fate %s", i, fates[i % fates.length])
                        .isEqualTo(calls[i % fates.length]);
            }
            assertThat(counter.last("bad-json").path("reason").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(counter.last("bad-target").path("reason").asText()).isEqualTo("UNKNOWN_TARGET");
            assertThat(sim.calls()).as("retries as scripted, none for bad input").isEqualTo(n / 7 * 13);
            assertThat(counter.last("k0").toString()).doesNotContain(Configs.SECRET);

            final HttpClient http = HttpClient.newHttpClient();
            final String base = "http://127.0.0.1:" + ops.port();
            final HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            final JsonNode checks = Json.MAPPER.readTree(ready.body()).path("checks");
            for (final String check : List.of("streamsAlive", "streamsRunning", "storesRestored", "punctuatorsAlive",
                    "brokerReachable")) {
                assertThat(checks.path(check).path("ok").asBoolean()).as(check + ": " + checks.path(check)).isTrue();
            }
            assertThat(checks.path("punctuatorsAlive").path("detail").asText()).startsWith("last punctuation");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
            final String scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape).contains("rebound_terminal_total{kind=\"dead_letter\",reason=\"RETRIES_EXHAUSTED\",target=\"llm\"} 20.0")
                    .contains("rebound_terminal_total{kind=\"dead_letter\",reason=\"INVALID_REQUEST\",target=\"unknown\"} 1.0")
                    .contains("rebound_in_flight{target=\"llm\"} 0.0")
                    .contains("rebound_attempt_duration_seconds_count")
                    .as("Kafka Streams' own metrics are bound too").contains("kafka_stream_thread_process_total");
            final Cli.Run status = Cli.rebound("status", "--ops", base);
            assertThat(status.code()).isZero();
            assertThat(status.out()).contains("IN-FLIGHT", "BUDGET", "FAIL-RATE")
                    .containsPattern("(?m)^llm\\s+CLOSED\\s+HEALTHY\\s+100%\\s+0\\s+\\d+\\s+\\d+%");
        }
    }

    @Test
    void shouldFireEachPendingRetryExactlyOnceAcrossARestart() throws Exception {
        // waits long enough that every retry is still pending when the first processor stops
        final ReboundConfig slow = IntegrationConfig.parse(IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, stateDir, sim.port(), 8)
                .replace("initialDelay: 300ms", "initialDelay: 6s").replace("maxDelay: 2s", "maxDelay: 10s"));
        final int n = 30;
        try (Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            for (int i = 0; i < n; i++) {
                // the first attempt fails; the retry waits 6 s
                requests.send("k" + i, Requests.scripted("id-" + i, "llm", "{\"status\":503,\"failTimes\":1}"));
            }
            requests.flush();
            try (ReboundStreams first = rebound(slow)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> sim.calls() >= n);
            }
            assertThat(countAttempt(2, n)).as("stopped before any retry fired").isZero();
            // stopped with retries pending in the timer store (or on the tier topic); a first attempt
            // still running at the stop is made again after it (same Idempotency-Key), as documented
            try (ReboundStreams second = rebound(slow)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == n;
                });
                counter.poll(Duration.ofSeconds(1));
            }
            assertThat(counter.duplicated()).isZero();
            assertThat(counter.outcome("SUCCEEDED")).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(sim.calls("id-" + i, 2)).as("the retry of request %d fired once", i).isEqualTo(1);
                assertThat(sim.calls("id-" + i, 3)).as("and never a third attempt").isZero();
                assertThat(counter.last("k" + i).path("attempts").asInt()).isEqualTo(2);
            }
        }
    }

    private long countAttempt(final int attempt, final int n) {
        long calls = 0;
        for (int i = 0; i < n; i++) {
            calls += sim.calls("id-" + i, attempt);
        }
        return calls;
    }

    @Test
    void shouldFinishEveryRequestAfterTheProcessorStopsMidRunAndStartsAgain() throws Exception {
        final int n = 60;
        try (Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            for (int i = 0; i < n; i++) {
                // slow calls, so that many are in flight (or waiting for one of 8 slots) at the stop
                requests.send("k" + i, Requests.scripted("id-" + i, "llm", "{\"latencyMs\":400}"));
            }
            requests.flush();

            try (ReboundStreams first = rebound()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(100));
                    return counter.terminalKeys() >= 8;
                });
            }
            counter.poll(Duration.ofMillis(500));
            final int beforeRestart = counter.terminalKeys();
            assertThat(beforeRestart).as("the stop came mid-run").isLessThan(n);

            try (ReboundStreams second = rebound()) {
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == n;
                });
                counter.poll(Duration.ofSeconds(1));
            }
            assertThat(counter.duplicated()).isZero();
            assertThat(counter.outcome("SUCCEEDED")).isEqualTo(n);
        }
    }
}
