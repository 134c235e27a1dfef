package dev.rebound.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.request.Json;
import dev.rebound.testkit.Cli;
import dev.rebound.testkit.LiveRebound;
import dev.rebound.testkit.Requests;
import dev.rebound.testkit.SharedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
            assertThat(invalid.out()).contains("cannot replay (no id, dead letter ", "holds no request",
                    "0 replayed, 0 skipped, 1 could not be replayed");
            assertThat(invalid.code()).isEqualTo(4);
            assertThat(Cli.rebound("dlq", "replay", "--config", config).code()).as("replay needs a filter").isEqualTo(1);
        }
    }

    @Test
    void shouldReplayARequestOver64KiBWholeAndSayWhenAnOriginalIsGone() throws Exception {
        try (LiveRebound live = LiveRebound.start(dir, 3, 4)) {
            final String config = live.config();
            final TerminalCounter counter = live.counter();
            // given two requests of 100 KB that fail for good, so their dead letters echo only a truncated head
            live.requests().send("b1", big("big-1"));
            live.requests().send("b2", big("big-2"));
            live.requests().flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.terminalKeys() == 2;
            });
            assertThat(counter.last("b1").path("request").path("truncated").asBoolean()).as("the echo is truncated").isTrue();

            // when the first is replayed
            final Cli.Run replay = Cli.rebound("dlq", "replay", "--config", config, "--id", "big-1");

            // then it is read back from agent-calls and re-enqueued whole
            assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
            assertThat(replay.out()).contains("replay big-1 as big-1~r", "read back from " + live.topics().calls() + "-",
                    "1 replayed, 0 skipped, 0 could not be replayed");
            final JsonNode replayed = TopicSnapshot.read(clientProps(), live.topics().calls(), Duration.ofSeconds(30)).stream()
                    .map(r -> Json.read(r.value(), JsonNode.class))
                    .filter(r -> r.path("replayOf").asText().equals("big-1"))
                    .findFirst().orElseThrow();
            assertThat(replayed.path("payload").path("blob").asText()).hasSize(BLOB);
            assertThat(replayed.path("payload").path("simulate").path("status").asInt()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                counter.poll(Duration.ofMillis(200));
                return counter.last("b1").path("id").asText().startsWith("big-1~r");
            });

            // given the second one's original removed from agent-calls, as retention would
            final JsonNode source = counter.last("b2").path("source");
            final TopicPartition tp = new TopicPartition(source.path("topic").asText(), source.path("partition").asInt());
            final long offset = source.path("offset").asLong();
            try (Admin admin = Admin.create(clientProps())) {
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(offset + 1))).all().get();
            }

            // when / then it is not replayed from its head, and the command says why and exits 4
            final Cli.Run gone = Cli.rebound("dlq", "replay", "--config", config, "--id", "big-2");
            assertThat(gone.code()).isEqualTo(4);
            assertThat(gone.out()).contains("cannot replay big-2", "truncated", "removed by retention",
                    tp + " now begins at offset " + (offset + 1), "0 replayed, 0 skipped, 1 could not be replayed");

            // and a dead letter whose source offset was never written
            try (Requests deadLetters = new Requests(SharedKafka.get().bootstrapServers(), live.topics().deadLetters())) {
                deadLetters.send("g1", """
                        {"id":"ghost-1","target":"llm","reason":"RETRIES_EXHAUSTED",
                         "request":{"truncated":true,"originalBytes":70000,"text":"{\\"id\\":\\"ghost-1\\""},
                         "source":{"topic":"%s","partition":0,"offset":1000000}}""".formatted(live.topics().calls()));
                deadLetters.flush();
            }
            final Cli.Run ghost = Cli.rebound("dlq", "replay", "--config", config, "--id", "ghost-1");
            assertThat(ghost.code()).isEqualTo(4);
            assertThat(ghost.out()).contains("cannot replay ghost-1", "it is not there: " + live.topics().calls() + "-0 ends at offset ");
        }
    }

    private static final int BLOB = 100_000;

    /** A request of about 100 KB that the simulator answers with 401: dead-lettered at once (NON_RETRYABLE). */
    private static String big(final String id) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\",\"timeoutMs\":120000,\"payload\":{\"q\":\"" + id + "\",\"blob\":\""
                + "x".repeat(BLOB) + "\",\"simulate\":{\"status\":401}}}";
    }

    private static Map<String, Object> clientProps() throws Exception {
        return Map.of("bootstrap.servers", SharedKafka.get().bootstrapServers());
    }
}
