package dev.rebound.integration;

import dev.rebound.circuit.ControlRecord;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.ops.EmbeddedKafka;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.ops.SimScenario;
import dev.rebound.ops.Simulator;
import dev.rebound.ops.TerminalCounter;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import dev.rebound.topology.ReboundStreams;
import dev.rebound.topology.Stores;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The kill switch end to end: {@code rebound control} on a real broker, read by a running processor. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ControlCommandIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldStopCallsWhileDisabledAndResumeWhenEnabled() throws Exception {
        final EmbeddedKafka kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(2);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 2);
             Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            final Path config = dir.resolve("rebound.yaml");
            Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port(), 4));
            final ReboundConfig cfg = IntegrationConfig.parse(Files.readString(config));
            try (ReboundStreams rebound = ReboundStreams.start(cfg, TargetPool.http(cfg, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                    new ReboundMetrics(), Map.of())) {
                rebound.awaitRunning(Duration.ofSeconds(60));
                assertThat(Cli.rebound("control", "disable", "nope", "--reason", "x", "--config", config.toString()).code())
                        .as("only configured targets").isEqualTo(1);
                assertThat(Cli.rebound("control", "disable", "llm", "--reason", "provider incident", "--config", config.toString()).out())
                        .contains("disabled llm (provider incident)");
                // the switch reaches the instance's global store (read here through an interactive query)
                final ReadOnlyKeyValueStore<String, ControlRecord> switches = rebound.streams().store(
                        StoreQueryParameters.fromNameAndType(Stores.CONTROL, QueryableStoreTypes.keyValueStore()));
                await().atMost(Duration.ofSeconds(30)).until(() -> switches.get("llm") != null && switches.get("llm").disabled());

                requests.send("k1", Requests.scripted("c-1", "llm", ""));
                requests.send("k2", Requests.scripted("c-2", "llm", "", 1_500));
                requests.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.has("k2");
                });
                assertThat(counter.last("k2").path("reason").asText()).isEqualTo("DEADLINE_EXCEEDED");
                assertThat(counter.last("k2").path("message").asText()).contains("llm is disabled by an operator: provider incident");
                assertThat(sim.calls()).as("no call while disabled").isZero();

                assertThat(Cli.rebound("control", "enable", "llm", "--config", config.toString()).code()).isZero();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.has("k1");
                });
                assertThat(counter.last("k1").path("outcome").asText()).isEqualTo("SUCCEEDED");
                assertThat(sim.calls()).isEqualTo(1);
            }
        }
    }
}
