package dev.rebound.integration;

import dev.rebound.ops.TerminalCounter;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.LiveRebound;
import dev.rebound.testkit.Requests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
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
        try (LiveRebound live = LiveRebound.start(dir, 3, 4)) {
            final String config = live.config();
            final TerminalCounter counter = live.counter();
            final Requests requests = live.requests();
            requests.send("s1", Requests.scripted("auth-1", "llm", "{\"status\":401}"));
            requests.send("s2", Requests.scripted("auth-2", "llm", "{\"status\":401}"));
            requests.send("s3", Requests.scripted("ok-1", "llm", ""));
            requests.send("s4", "{broken");
            requests.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.terminalKeys() == 4;
            });

            final Cli.Run list = Cli.rebound("dlq", "list", "--config", config, "--reason", "NON_RETRYABLE");
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("auth-1", "auth-2", "2 dead letter(s)").doesNotContain("ok-1");

            final Cli.Run show = Cli.rebound("dlq", "show", "auth-1", "--config", config);
            assertThat(show.out()).contains("\"reason\" : \"NON_RETRYABLE\"", "\"attempts\"", "\"httpStatus\" : 401");
            assertThat(Cli.rebound("dlq", "show", "nope", "--config", config).code()).isEqualTo(3);

            final Cli.Run dry = Cli.rebound("dlq", "replay", "--config", config, "--target", "llm", "--dry-run");
            assertThat(dry.out()).contains("would replay auth-1 as auth-1~r", "0 replayed (dry run: 2 would be)");

            final Cli.Run replay = Cli.rebound("dlq", "replay", "--config", config, "--target", "llm");
            assertThat(replay.out()).contains("2 replayed, 0 skipped");
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.reasons().getOrDefault("NON_RETRYABLE", 0L) == 4;
            });
            assertThat(counter.last("s1").path("request").path("replayOf").asText()).isEqualTo("auth-1");
            assertThat(counter.last("s1").path("id").asText()).startsWith("auth-1~r");

            final Cli.Run again = Cli.rebound("dlq", "replay", "--config", config, "--id", "auth-1");
            assertThat(again.out()).contains("skip   auth-1: already replayed", "0 replayed, 1 skipped");
            final Cli.Run invalid = Cli.rebound("dlq", "replay", "--config", config, "--reason", "INVALID_REQUEST");
            assertThat(invalid.out()).contains("no parsed request", "0 replayed, 1 skipped");
            assertThat(Cli.rebound("dlq", "replay", "--config", config).code()).as("replay needs a filter").isEqualTo(1);
        }
    }
}
