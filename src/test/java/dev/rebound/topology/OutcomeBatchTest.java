package dev.rebound.topology;

import dev.rebound.circuit.Outcome;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutcomeBatchTest {

    private static final Instant SENT = Instant.parse("2026-11-30T23:59:58.123Z");
    private static final Instant OWNER = Instant.parse("2026-12-01T00:00:00Z");

    private static final List<Outcome> BATCH = List.of(
            new Outcome("llm", SENT, true, null, 52, "0_1"),
            new Outcome("azure/east", SENT, false, ErrorCategory.TIMEOUT, 10_000, "0_1"),
            new Outcome("llm", SENT, true, ErrorCategory.VALIDATION, 3, "1_2"));

    /** One target's outcomes in a tick, as a task sends them. */
    private static final List<Outcome> TICK = List.of(
            new Outcome("llm", SENT, true, null, 52, "0_1"),
            new Outcome("llm", SENT, false, ErrorCategory.TIMEOUT, 10_000, "0_1"),
            new Outcome("llm", SENT, true, ErrorCategory.VALIDATION, 3, "0_1"));

    @Test
    void shouldWriteOnlyWhatAnOwnerReadsOfEachOutcome() {
        assertThat(new String(OutcomeBatch.encode(TICK), StandardCharsets.UTF_8)).isEqualTo("""
                [{"success":true,"durationMs":52,"task":"0_1"},{"category":"TIMEOUT","durationMs":10000,"task":"0_1"},\
                {"success":true,"category":"VALIDATION","durationMs":3,"task":"0_1"}]""");
    }

    @Test
    void shouldBeReadAsTheSameOutcomesByThisOwnerAndByOwnersOfEarlierVersions() throws Exception {
        final byte[] written = OutcomeBatch.encode(TICK);
        assertThat(OutcomeBatch.decode(written, "llm", OWNER)).containsExactly(
                new Outcome("llm", OWNER, true, null, 52, "0_1"),
                new Outcome("llm", OWNER, false, ErrorCategory.TIMEOUT, 10_000, "0_1"),
                new Outcome("llm", OWNER, true, ErrorCategory.VALIDATION, 3, "0_1"));
        // an owner before streaming read with data binding, one after as it does here: both default a
        // missing field to false, null or 0, and take the target from the record key and the time from their clock
        assertThat(Json.MAPPER.readValue(written, Outcome[].class)).extracting(Outcome::success, Outcome::category, Outcome::durationMs,
                Outcome::task).containsExactly(
                org.assertj.core.groups.Tuple.tuple(true, null, 52L, "0_1"),
                org.assertj.core.groups.Tuple.tuple(false, ErrorCategory.TIMEOUT, 10_000L, "0_1"),
                org.assertj.core.groups.Tuple.tuple(true, ErrorCategory.VALIDATION, 3L, "0_1"));
    }

    @Test
    void shouldKeepNullsAndExtremeDurations() {
        final List<Outcome> odd = List.of(
                new Outcome("llm", null, false, null, Long.MAX_VALUE, null),
                new Outcome("llm", SENT, true, null, 0, "0_0"),
                new Outcome("llm", SENT.plusMillis(1), false, ErrorCategory.NETWORK, -1, "0_0"),
                new Outcome("llm", SENT, false, ErrorCategory.RATE_LIMITED, Long.MIN_VALUE, "0_0"));
        assertThat(OutcomeBatch.decode(OutcomeBatch.encode(odd), "llm", OWNER)).containsExactly(
                new Outcome("llm", OWNER, false, null, Long.MAX_VALUE, null),
                new Outcome("llm", OWNER, true, null, 0, "0_0"),
                new Outcome("llm", OWNER, false, ErrorCategory.NETWORK, -1, "0_0"),
                new Outcome("llm", OWNER, false, ErrorCategory.RATE_LIMITED, Long.MIN_VALUE, "0_0"));
    }

    @Test
    void shouldReadWhatEarlierVersionsWroteStampedWithTheOwnersClock() {
        assertThat(OutcomeBatch.decode(Json.bytes(BATCH), "key", OWNER)).containsExactly(
                new Outcome("llm", OWNER, true, null, 52, "0_1"),
                new Outcome("azure/east", OWNER, false, ErrorCategory.TIMEOUT, 10_000, "0_1"),
                new Outcome("llm", OWNER, true, ErrorCategory.VALIDATION, 3, "1_2"));
    }

    @Test
    void shouldReadASingleOutcomeFromBeforeBatching() {
        assertThat(OutcomeBatch.decode(Json.bytes(BATCH.get(1)), "key", OWNER))
                .containsExactly(new Outcome("azure/east", OWNER, false, ErrorCategory.TIMEOUT, 10_000, "0_1"));
    }

    @Test
    void shouldSkipUnknownFieldsAndNullEntriesAndDefaultMissingOnes() {
        final String json = """
                [null, {"extra": {"nested": [1, 2, {"x": null}]}, "target": "llm", "task": "0_0"}, {"success": true, "later": "field"}]""";
        assertThat(OutcomeBatch.decode(json.getBytes(StandardCharsets.UTF_8), "key", OWNER)).containsExactly(
                new Outcome("llm", OWNER, false, null, 0, "0_0"),
                new Outcome("key", OWNER, true, null, 0, null));
    }

    @Test
    void shouldRefuseWhatItCannotReadSoThatTheOwnerSkipsTheRecord() {
        for (final String bad : List.of(
                "", "42", "[1]", "[{\"category\": \"NOT_A_CATEGORY\"}]", "[{\"durationMs\": \"slow\"}]",
                "[{\"success\": 1}]", "[{\"target\": 5}]", "[{\"target\": \"llm\"}] trailing", "[{\"target\": \"llm\"}", "{")) {
            assertThatThrownBy(() -> OutcomeBatch.decode(bad.getBytes(StandardCharsets.UTF_8), "key", OWNER))
                    .as(bad).isInstanceOf(RuntimeException.class);
        }
    }
}
