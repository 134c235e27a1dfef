package dev.rebound.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.request.Json;
import dev.rebound.request.RequestEcho;
import dev.rebound.request.Source;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayPlanTest {

    /** For dead letters that repeat their request whole: reading back would be a waste, and a bug. */
    private static final Function<Source, ReplayPlan.Original> NEVER = s -> {
        throw new AssertionError("asked to read back " + s);
    };

    private final List<Source> asked = new ArrayList<>();

    private static JsonNode dl(final String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    private Function<Source, ReplayPlan.Original> answering(final ReplayPlan.Original original) {
        return s -> {
            asked.add(s);
            return original;
        };
    }

    private static ReplayPlan.Found found(final String text) {
        return new ReplayPlan.Found(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A request of about {@code bytes} bytes, and its dead letter as Rebound writes it: the echo truncated. */
    private static String bigRequest(final String id, final int bytes) {
        return "{\"id\":\"" + id + "\",\"target\":\"llm\",\"payload\":{\"blob\":\"" + "x".repeat(bytes) + "\"}}";
    }

    private static ObjectNode truncatedDeadLetter(final String request) throws Exception {
        final JsonNode echo = RequestEcho.ofParsed(Json.MAPPER.readTree(request), request.length());
        assertThat(echo.path("truncated").asBoolean()).as("the echo this test is about").isTrue();
        final ObjectNode deadLetter = Json.MAPPER.createObjectNode().put("id", "big-1").put("reason", "NON_RETRYABLE");
        deadLetter.set("request", echo);
        deadLetter.set("source", dl("{\"topic\":\"agent-calls\",\"partition\":1,\"offset\":5}"));
        return deadLetter;
    }

    @Test
    void shouldReplayAsANewRequestLinkedToTheOldOne() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("session-1", 2, 41, dl("""
                {"id":"req-1","reason":"RETRIES_EXHAUSTED","request":{"id":"req-1","target":"llm","payload":{"q":1},
                 "deadline":"2026-11-29T12:00:00Z","metadata":{"agent":"a"}}}"""), Set.of(), NEVER);
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.key()).isEqualTo("session-1");
            assertThat(r.marker()).isEqualTo("2:41");
            assertThat(r.newId()).isEqualTo("req-1~r2.41");
            assertThat(r.request().path("id").asText()).isEqualTo("req-1~r2.41");
            assertThat(r.request().path("replayOf").asText()).isEqualTo("req-1");
            assertThat(r.request().has("deadline")).as("the old deadline has passed").isFalse();
            assertThat(r.request().path("payload").path("q").asInt()).isEqualTo(1);
            assertThat(r.request().path("metadata").path("agent").asText()).isEqualTo("a");
            assertThat(r.from()).isEqualTo("echoed whole in the dead letter");
        });
    }

    @Test
    void shouldNeverReplayTheSameDeadLetterTwice() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 7, dl("{\"id\":\"a\",\"request\":{\"id\":\"a\",\"target\":\"t\",\"payload\":{}}}"),
                Set.of("0:7"), NEVER);
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Skip.class, k -> assertThat(k.why()).isEqualTo("already replayed"));
    }

    @Test
    void shouldReplayARequestOver64KiBWholeFromItsSourceRecordWhenTheEchoIsTruncated() throws Exception {
        // given a dead letter whose echo holds only the first 64 KiB of a 100 KB request
        final String request = bigRequest("big-1", 100_000);

        // when
        final ReplayPlan.Step s = ReplayPlan.plan("k", 3, 9, truncatedDeadLetter(request), Set.of(), answering(found(request)));

        // then the original was read back from where the dead letter says, and replayed whole
        assertThat(asked).containsExactly(new Source("agent-calls", 1, 5));
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.newId()).isEqualTo("big-1~r3.9");
            assertThat(r.request().path("payload").path("blob").asText()).hasSize(100_000);
            assertThat(r.from()).startsWith("read back from agent-calls-1@5").contains("truncated", "100");
        });
    }

    @Test
    void shouldNotReplayATruncatedRequestWhoseOriginalRetentionRemoved() throws Exception {
        // given
        final ReplayPlan.Original gone = new ReplayPlan.Unavailable("it was removed by retention: agent-calls-1 now begins at offset 80");

        // when
        final ReplayPlan.Step s = ReplayPlan.plan("k", 3, 9, truncatedDeadLetter(bigRequest("big-1", 100_000)), Set.of(), answering(gone));

        // then a head is never replayed as if it were the request
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Unreplayable.class, u -> {
            assertThat(u.originalId()).isEqualTo("big-1");
            assertThat(u.why()).contains("truncated", "agent-calls-1@5", "removed by retention", "begins at offset 80");
        });
    }

    @Test
    void shouldReplayAProcessingErrorFromTheRecordItFailedOn() throws Exception {
        // given a PROCESSING_ERROR dead letter: no id of its own, the raw bytes as echo
        final String request = "{\"id\":\"p-1\",\"target\":\"llm\",\"payload\":{\"q\":2}}";
        final JsonNode deadLetter = Json.MAPPER.createObjectNode().putNull("id").put("reason", "PROCESSING_ERROR")
                .put("request", request).set("source", dl("{\"topic\":\"agent-calls\",\"partition\":0,\"offset\":12}"));

        // when
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 3, deadLetter, Set.of(), answering(found(request)));

        // then the request's own id names the replay
        assertThat(asked).containsExactly(new Source("agent-calls", 0, 12));
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.originalId()).isEqualTo("p-1");
            assertThat(r.newId()).isEqualTo("p-1~r0.3");
            assertThat(r.request().path("replayOf").asText()).isEqualTo("p-1");
        });
    }

    @Test
    void shouldTakeTheRequestOutOfTheInFlightEntryWhenTheSourceIsARetryTier() throws Exception {
        // given a processing error on a retry tier's record: an in-flight entry that holds the request
        final String entry = "{\"key\":\"k\",\"request\":{\"id\":\"p-2\",\"target\":\"llm\",\"payload\":{\"q\":3}},"
                + "\"firstSeenAt\":\"2026-11-29T12:00:00Z\",\"attempt\":2,\"attempts\":[]}";
        final JsonNode deadLetter = Json.MAPPER.createObjectNode().putNull("id").put("reason", "PROCESSING_ERROR")
                .put("request", entry).set("source", dl("{\"topic\":\"agent-calls-retry-1s\",\"partition\":0,\"offset\":4}"));

        // when
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 4, deadLetter, Set.of(), answering(found(entry)));

        // then
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.newId()).isEqualTo("p-2~r0.4");
            assertThat(r.request().path("payload").path("q").asInt()).isEqualTo(3);
            assertThat(r.request().has("attempts")).as("the request, not the entry").isFalse();
        });
    }

    @Test
    void shouldUseACompleteRawEchoWhenTheSourceRecordIsGone() throws Exception {
        // given
        final String request = "{\"id\":\"p-3\",\"target\":\"llm\",\"payload\":{}}";
        final JsonNode deadLetter = Json.MAPPER.createObjectNode().putNull("id").put("reason", "PROCESSING_ERROR")
                .put("request", request).set("source", dl("{\"topic\":\"agent-calls\",\"partition\":0,\"offset\":1}"));

        // when
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 5, deadLetter, Set.of(),
                answering(new ReplayPlan.Unavailable("it was removed by retention: agent-calls-0 now begins at offset 9")));

        // then
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.newId()).isEqualTo("p-3~r0.5");
            assertThat(r.from()).contains("complete raw echo", "removed by retention");
        });
    }

    @Test
    void shouldNotReplayARecordThatHoldsNoRequest() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 8, dl("""
                {"id":null,"reason":"INVALID_REQUEST","request":"{not json","source":{"topic":"agent-calls","partition":0,"offset":2}}"""),
                Set.of(), answering(found("{not json")));
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Unreplayable.class, u -> {
            assertThat(u.originalId()).isNull();
            assertThat(u.why()).contains("agent-calls-0@2", "holds no request");
        });
    }

    @Test
    void shouldNotReplayAnotherRequestThanTheOneDeadLettered() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("k", 3, 9, truncatedDeadLetter(bigRequest("big-1", 70_000)), Set.of(),
                answering(found(bigRequest("someone-else", 70_000))));
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Unreplayable.class,
                u -> assertThat(u.why()).contains("is request 'someone-else', not 'big-1'"));
    }

    @Test
    void shouldSayWhenATruncatedDeadLetterNamesNoSource() throws Exception {
        final ObjectNode deadLetter = truncatedDeadLetter(bigRequest("big-1", 70_000));
        deadLetter.remove("source");
        final ReplayPlan.Step s = ReplayPlan.plan("k", 3, 9, deadLetter, Set.of(), NEVER);
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Unreplayable.class, u -> assertThat(u.why()).contains("names no source record"));
    }
}
