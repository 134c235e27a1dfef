package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayPlanTest {

    private static JsonNode dl(final String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void shouldReplayAsANewRequestLinkedToTheOldOne() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("session-1", 2, 41, dl("""
                {"id":"req-1","reason":"RETRIES_EXHAUSTED","request":{"id":"req-1","target":"llm","payload":{"q":1},
                 "deadline":"2026-11-29T12:00:00Z","metadata":{"agent":"a"}}}"""), Set.of());
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Replay.class, r -> {
            assertThat(r.key()).isEqualTo("session-1");
            assertThat(r.marker()).isEqualTo("2:41");
            assertThat(r.newId()).isEqualTo("req-1~r2.41");
            assertThat(r.request().path("id").asText()).isEqualTo("req-1~r2.41");
            assertThat(r.request().path("replayOf").asText()).isEqualTo("req-1");
            assertThat(r.request().has("deadline")).as("the old deadline has passed").isFalse();
            assertThat(r.request().path("payload").path("q").asInt()).isEqualTo(1);
            assertThat(r.request().path("metadata").path("agent").asText()).isEqualTo("a");
        });
    }

    @Test
    void shouldNeverReplayTheSameDeadLetterTwice() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 7, dl("{\"id\":\"a\",\"request\":{\"id\":\"a\",\"target\":\"t\",\"payload\":{}}}"),
                Set.of("0:7"));
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Skip.class, k -> assertThat(k.why()).isEqualTo("already replayed"));
    }

    @Test
    void shouldSkipADeadLetterWithoutAParsedRequest() throws Exception {
        final ReplayPlan.Step s = ReplayPlan.plan("k", 0, 8, dl("{\"id\":null,\"reason\":\"INVALID_REQUEST\",\"request\":\"{not json\"}"),
                Set.of());
        assertThat(s).isInstanceOfSatisfying(ReplayPlan.Skip.class, k -> assertThat(k.why()).contains("no parsed request (INVALID_REQUEST)"));
    }
}
