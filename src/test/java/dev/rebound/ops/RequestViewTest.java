package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.Attempt;
import dev.rebound.request.Json;
import dev.rebound.request.Source;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer of {@code GET /requests/{key}/{id}} built from an in-flight entry in each state, and from a terminal record. */
class RequestViewTest {

    private static final Instant T0 = Instant.parse("2026-11-29T20:00:00Z");
    private static final JsonNode REQUEST = Json.read("{\"id\":\"r-1\",\"target\":\"llm\",\"payload\":{}}".getBytes(), JsonNode.class);

    private static InFlightEntry arrived() {
        return new InFlightEntry("k-1", REQUEST, T0.plusSeconds(600), T0, 1, List.of(), new Source("agent-calls", 3, 42), null, null,
                0, 0, null, null, 0, null, null, null, null).calling(T0);
    }

    private static Attempt failed503(final int n, final Instant at) {
        return new Attempt(n, at, "llm", "SERVER_ERROR", "MEDIUM", 503, "upstream overloaded", 120, null, null);
    }

    private static ObjectNode view(final InFlightEntry e, final Instant now) {
        return RequestView.of("k-1", "r-1", e, "llm", false, now);
    }

    @Test
    void shouldSayInFlightSinceTheCallWasAskedForWithItsAttemptAndTarget() {
        final ObjectNode v = view(arrived(), T0.plusSeconds(7));

        assertThat(v.path("status").asText()).isEqualTo("IN_FLIGHT");
        assertThat(v.path("attempt").asInt()).isEqualTo(1);
        assertThat(v.path("stageTarget").asText()).isEqualTo("llm");
        assertThat(v.path("since").asText()).isEqualTo(T0.toString());
        assertThat(v.path("forMs").asLong()).isEqualTo(7_000);
        assertThat(v.has("dueAt")).isFalse();
        assertThat(v.has("why")).isFalse();
    }

    @Test
    void shouldSayWhichAttemptWhenAFailedAttemptWasRetriedAndIsRunningAgain() {
        final InFlightEntry retried = arrived().waitingFor(failed503(1, T0), Duration.ofSeconds(5), T0.plusSeconds(5)).fired()
                .calling(T0.plusSeconds(5));

        final ObjectNode v = view(retried, T0.plusSeconds(6));

        assertThat(v.path("status").asText()).isEqualTo("IN_FLIGHT");
        assertThat(v.path("attempt").asInt()).isEqualTo(2);
        assertThat(v.path("since").asText()).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(v.path("lastAttempt").path("category").asText()).isEqualTo("SERVER_ERROR");
    }

    @Test
    void shouldSayRetryWithTheLastAttemptsCategoryAndMessageUntilItsDueTime() {
        final InFlightEntry waiting = arrived().waitingFor(failed503(1, T0), Duration.ofSeconds(5), T0.plusSeconds(5));

        final ObjectNode v = view(waiting, T0.plusSeconds(2));

        assertThat(v.path("status").asText()).isEqualTo("WAITING");
        assertThat(v.path("why").asText()).isEqualTo("RETRY");
        assertThat(v.path("reason").asText()).isEqualTo("attempt 1 failed with SERVER_ERROR (HTTP 503): upstream overloaded");
        assertThat(v.path("dueAt").asText()).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(v.path("dueInMs").asLong()).isEqualTo(3_000);
        assertThat(v.path("attempt").asInt()).as("the attempt that is next").isEqualTo(2);
        assertThat(v.path("failedAttempts").asInt()).isEqualTo(1);
    }

    @Test
    void shouldSayDeferredWithAdmissionsReasonEvenAfterARetryWhoseWaitLooksTheSame() {
        // retried once, then the circuit was open when attempt 2 was asked for: the entry's shape is a retry's
        final InFlightEntry deferred = arrived().waitingFor(failed503(1, T0), Duration.ofSeconds(5), T0.plusSeconds(5)).fired()
                .calling(T0.plusSeconds(5)).deferred(T0.plusSeconds(65), "the circuit of llm is OPEN (5 consecutive failures)");

        final ObjectNode v = view(deferred, T0.plusSeconds(10));

        assertThat(v.path("status").asText()).isEqualTo("WAITING");
        assertThat(v.path("why").asText()).isEqualTo("DEFERRED");
        assertThat(v.path("reason").asText()).isEqualTo("the circuit of llm is OPEN (5 consecutive failures)");
        assertThat(v.path("dueAt").asText()).isEqualTo(T0.plusSeconds(65).toString());
        assertThat(v.path("attempt").asInt()).isEqualTo(2);
        assertThat(v.has("since")).as("nothing runs").isFalse();
    }

    @Test
    void shouldSayDeferredByAnOperatorWhenTheTargetIsDisabled() {
        final InFlightEntry deferred = arrived().deferred(T0.plusSeconds(5), "llm is disabled by an operator: maintenance");

        final ObjectNode v = view(deferred, T0);

        assertThat(v.path("why").asText()).isEqualTo("DEFERRED");
        assertThat(v.path("reason").asText()).isEqualTo("llm is disabled by an operator: maintenance");
        assertThat(v.path("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void shouldSayParkedWithWhatItWaitsForAndSinceWhenItsFirstParkOfTheRun() {
        final InFlightEntry once = arrived().parkedUntil(T0.plusSeconds(1), "quota of llm's rate limit", T0);
        final InFlightEntry twice = once.fired().calling(T0.plusSeconds(1)).parkedUntil(T0.plusSeconds(3), "quota of llm's rate limit",
                T0.plusSeconds(1));

        final ObjectNode v = view(twice, T0.plusSeconds(2));

        assertThat(v.path("status").asText()).isEqualTo("WAITING");
        assertThat(v.path("why").asText()).isEqualTo("PARKED");
        assertThat(v.path("parkedFor").asText()).isEqualTo("quota of llm's rate limit");
        assertThat(v.path("parkedSince").asText()).isEqualTo(T0.toString());
        assertThat(v.path("parks").asInt()).isEqualTo(2);
        assertThat(v.path("dueAt").asText()).isEqualTo(T0.plusSeconds(3).toString());
        assertThat(v.path("attempt").asInt()).as("a park spends no attempt").isEqualTo(1);
    }

    @Test
    void shouldNameTheFallbackStepsTargetAndSayWhenItIsAPool() {
        final InFlightEntry atStep = arrived().ended(failed503(1, T0)).atStep(1).calling(T0.plusSeconds(1));

        final ObjectNode v = RequestView.of("k-1", "r-1", atStep, "backup-pool", true, T0.plusSeconds(1));

        assertThat(v.path("target").asText()).isEqualTo("llm");
        assertThat(v.path("fallbackStep").asInt()).isEqualTo(1);
        assertThat(v.path("stageTarget").asText()).isEqualTo("backup-pool");
        assertThat(v.path("pool").asBoolean()).isTrue();
        assertThat(v.path("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void shouldReadAnEntryWrittenBeforeDeferralsAndCallsWereRecorded() {
        final ObjectNode old = Json.MAPPER.valueToTree(arrived().deferred(T0.plusSeconds(5), "x"));
        old.remove("deferredFor");
        old.remove("calledAt");
        final InFlightEntry restored = Json.MAPPER.convertValue(old, InFlightEntry.class);

        final ObjectNode v = view(restored, T0);

        assertThat(v.path("why").asText()).isEqualTo("DEFERRED");
        assertThat(v.path("reason").asText()).startsWith("not admitted");
    }

    @Test
    void shouldCarryTheResultsOutcomeAndServedByWhenFinished() {
        final JsonNode result = Json.read("{\"id\":\"r-1\",\"outcome\":\"FALLBACK\",\"servedBy\":\"cache\",\"attempts\":3}".getBytes(),
                JsonNode.class);

        final ObjectNode v = RequestView.finished("k-1", "r-1", true, result);

        assertThat(v.path("status").asText()).isEqualTo("FINISHED");
        assertThat(v.path("outcome").asText()).isEqualTo("FALLBACK");
        assertThat(v.path("servedBy").asText()).isEqualTo("cache");
        assertThat(v.path("record")).isEqualTo(result);
    }

    @Test
    void shouldCarryTheDeadLettersReasonWhenFinishedWithoutAResult() {
        final JsonNode dead = Json.read("{\"id\":\"r-1\",\"reason\":\"RETRIES_EXHAUSTED\",\"attempts\":[]}".getBytes(), JsonNode.class);

        final ObjectNode v = RequestView.finished("k-1", "r-1", false, dead);

        assertThat(v.path("outcome").asText()).isEqualTo("DEAD_LETTER");
        assertThat(v.path("reason").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(v.has("servedBy")).isFalse();
    }

    @Test
    void shouldSayUnknownWithTheKeyAndIdAsked() {
        final ObjectNode v = RequestView.unknown("session/7", "r 1");

        assertThat(v.path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(v.path("key").asText()).isEqualTo("session/7");
        assertThat(v.path("id").asText()).isEqualTo("r 1");
    }
}
