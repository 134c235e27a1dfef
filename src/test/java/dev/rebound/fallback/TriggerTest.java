package dev.rebound.fallback;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackReason;
import dev.rebound.config.FallbackStep;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A trigger is typed in code and stays names in the in-flight entry's JSON. */
class TriggerTest {

    @Test
    void shouldWriteCategoryAndReasonByName() {
        final Trigger t = Trigger.of(ErrorCategory.SERVER_ERROR, DeadLetterReason.RETRIES_EXHAUSTED, "chat failed");

        assertThat(Json.text(t)).isEqualTo("{\"category\":\"SERVER_ERROR\",\"reason\":\"RETRIES_EXHAUSTED\",\"message\":\"chat failed\"}");
    }

    @Test
    void shouldReadATriggerStoredBeforeTheTypes() {
        final String stored = "{\"category\":\"CIRCUIT_OPEN\",\"reason\":\"DISABLED\",\"message\":\"off\"}";

        final Trigger t = Json.read(stored.getBytes(StandardCharsets.UTF_8), Trigger.class);

        assertThat(t).isEqualTo(new Trigger(ErrorCategory.CIRCUIT_OPEN, FallbackReason.DISABLED, "off"));
    }

    @ParameterizedTest
    @CsvSource({
            "NON_RETRYABLE, NON_RETRYABLE",
            "RETRIES_EXHAUSTED, RETRIES_EXHAUSTED",
            "RETRY_BUDGET_EXHAUSTED, RETRY_BUDGET_EXHAUSTED",
            "DEADLINE_EXCEEDED, DEADLINE_EXCEEDED",
            "CIRCUIT_OPEN, CIRCUIT_OPEN",
            "DISABLED, DEADLINE_EXCEEDED"})
    void shouldDeadLetterWithThePrimarysOwnReason(final FallbackReason reason, final DeadLetterReason expected) {
        assertThat(new Trigger(ErrorCategory.TIMEOUT, reason, "x").deadLetterReason()).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(value = DeadLetterReason.class, names = {"NON_RETRYABLE", "RETRIES_EXHAUSTED", "RETRY_BUDGET_EXHAUSTED", "DEADLINE_EXCEEDED"})
    void shouldKeepAGiveUpReasonThroughTheTrigger(final DeadLetterReason reason) {
        assertThat(Trigger.of(ErrorCategory.SERVER_ERROR, reason, "x").deadLetterReason()).isEqualTo(reason);
    }

    @Test
    void shouldRefuseAReasonNoPrimaryGivesUpWith() {
        assertThatThrownBy(() -> Trigger.of(ErrorCategory.SERVER_ERROR, DeadLetterReason.INVALID_REQUEST, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INVALID_REQUEST");
    }

    @Test
    void shouldLetAnOnListNameTheSameReasonsAsBefore() {
        assertThat(FallbackStep.REASONS)
                .containsExactlyInAnyOrder("NON_RETRYABLE", "RETRIES_EXHAUSTED", "RETRY_BUDGET_EXHAUSTED", "DEADLINE_EXCEEDED", "DISABLED");
    }
}
