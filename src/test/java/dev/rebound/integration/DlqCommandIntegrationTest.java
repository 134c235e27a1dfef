package dev.rebound.integration;

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
import dev.rebound.topology.Topics;
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

/** {@code rebound dlq list|show|replay} against a real broker and a running processor. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DlqCommandIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void shouldListShowAndReplayEachDeadLetterOnce() throws Exception {
        final EmbeddedKafka kafka = SharedKafka.get();
        final String prefix = SharedKafka.freshTopics(3);
        final Topics topics = new Topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 9);
             Requests requests = new Requests(kafka.bootstrapServers(), topics.calls());
             TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), topics.results(), topics.deadLetters())) {
            final Path config = dir.resolve("rebound.yaml");
            Files.writeString(config, IntegrationConfig.yaml(kafka.bootstrapServers(), prefix, dir.resolve("state"), sim.port(), 4));
            final ReboundConfig cfg = IntegrationConfig.parse(Files.readString(config));
            try (ReboundStreams rebound = ReboundStreams.start(cfg, TargetPool.http(cfg, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                    new ReboundMetrics(), Map.of())) {
                rebound.awaitRunning(Duration.ofSeconds(60));
                requests.send("s1", Requests.scripted("auth-1", "llm", "{\"status\":401}"));
                requests.send("s2", Requests.scripted("auth-2", "llm", "{\"status\":401}"));
                requests.send("s3", Requests.scripted("ok-1", "llm", ""));
                requests.send("s4", "{broken");
                requests.flush();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == 4;
                });

                final Cli.Run list = Cli.rebound("dlq", "list", "--config", config.toString(), "--reason", "NON_RETRYABLE");
                assertThat(list.code()).isZero();
                assertThat(list.out()).contains("auth-1", "auth-2", "2 dead letter(s)").doesNotContain("ok-1");

                final Cli.Run show = Cli.rebound("dlq", "show", "auth-1", "--config", config.toString());
                assertThat(show.out()).contains("\"reason\" : \"NON_RETRYABLE\"", "\"attempts\"", "\"httpStatus\" : 401");
                assertThat(Cli.rebound("dlq", "show", "nope", "--config", config.toString()).code()).isEqualTo(3);

                final Cli.Run dry = Cli.rebound("dlq", "replay", "--config", config.toString(), "--target", "llm", "--dry-run");
                assertThat(dry.out()).contains("would replay auth-1 as auth-1~r", "0 replayed (dry run: 2 would be)");

                final Cli.Run replay = Cli.rebound("dlq", "replay", "--config", config.toString(), "--target", "llm");
                assertThat(replay.out()).contains("2 replayed, 0 skipped");
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    counter.poll(Duration.ofMillis(200));
                    return counter.terminalKeys() == 4 && counter.reasons().getOrDefault("NON_RETRYABLE", 0L) == 4;
                });
                assertThat(counter.last("s1").path("request").path("replayOf").asText()).isEqualTo("auth-1");
                assertThat(counter.last("s1").path("id").asText()).startsWith("auth-1~r");

                final Cli.Run again = Cli.rebound("dlq", "replay", "--config", config.toString(), "--id", "auth-1");
                assertThat(again.out()).contains("skip   auth-1: already replayed", "0 replayed, 1 skipped");
                final Cli.Run invalid = Cli.rebound("dlq", "replay", "--config", config.toString(), "--reason", "INVALID_REQUEST");
                assertThat(invalid.out()).contains("no parsed request", "0 replayed, 1 skipped");
                assertThat(Cli.rebound("dlq", "replay", "--config", config.toString()).code()).as("replay needs a filter").isEqualTo(1);
            }
        }
    }
}
