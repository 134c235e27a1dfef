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

    @Test
    void shouldWriteTheBytesDataBindingWrites() {
        // owners not yet upgraded read these records with data binding
        assertThat(new String(OutcomeBatch.encode(BATCH), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.bytes(BATCH), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteTheBytesDataBindingWritesForNullsMixedInstantsAndExtremeDurations() {
        final List<Outcome> odd = List.of(
                new Outcome(null, null, false, null, Long.MAX_VALUE, null),
                new Outcome("llm", SENT, true, null, 0, "0_0"),
                new Outcome("llm", SENT.plusMillis(1), false, ErrorCategory.NETWORK, -1, "0_0"),
                new Outcome("llm", SENT, false, ErrorCategory.RATE_LIMITED, Long.MIN_VALUE, "0_0"));
        assertThat(new String(OutcomeBatch.encode(odd), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.bytes(odd), StandardCharsets.UTF_8));
        assertThat(OutcomeBatch.decode(OutcomeBatch.encode(odd), OWNER)).extracting(Outcome::durationMs)
                .containsExactly(Long.MAX_VALUE, 0L, -1L, Long.MIN_VALUE);
    }

    @Test
    void shouldReadWhatDataBindingWroteStampedWithTheOwnersClock() {
        assertThat(OutcomeBatch.decode(Json.bytes(BATCH), OWNER)).containsExactly(
                new Outcome("llm", OWNER, true, null, 52, "0_1"),
                new Outcome("azure/east", OWNER, false, ErrorCategory.TIMEOUT, 10_000, "0_1"),
                new Outcome("llm", OWNER, true, ErrorCategory.VALIDATION, 3, "1_2"));
    }

    @Test
    void shouldReadASingleOutcomeFromBeforeBatching() {
        assertThat(OutcomeBatch.decode(Json.bytes(BATCH.get(1)), OWNER))
                .containsExactly(new Outcome("azure/east", OWNER, false, ErrorCategory.TIMEOUT, 10_000, "0_1"));
    }

    @Test
    void shouldSkipUnknownFieldsAndNullEntriesAndDefaultMissingOnes() {
        final String json = """
                [null, {"extra": {"nested": [1, 2, {"x": null}]}, "target": "llm", "task": "0_0"}, {"success": true, "later": "field"}]""";
        assertThat(OutcomeBatch.decode(json.getBytes(StandardCharsets.UTF_8), OWNER)).containsExactly(
                new Outcome("llm", OWNER, false, null, 0, "0_0"),
                new Outcome(null, OWNER, true, null, 0, null));
    }

    @Test
    void shouldRefuseWhatItCannotReadSoThatTheOwnerSkipsTheRecord() {
        for (final String bad : List.of(
                "", "42", "[1]", "[{\"category\": \"NOT_A_CATEGORY\"}]", "[{\"durationMs\": \"slow\"}]",
                "[{\"success\": 1}]", "[{\"target\": 5}]", "[{\"target\": \"llm\"}] trailing", "[{\"target\": \"llm\"}", "{")) {
            assertThatThrownBy(() -> OutcomeBatch.decode(bad.getBytes(StandardCharsets.UTF_8), OWNER))
                    .as(bad).isInstanceOf(RuntimeException.class);
        }
    }
}
