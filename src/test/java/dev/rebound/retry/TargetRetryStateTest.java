package dev.rebound.retry;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.AdaptivePolicy;
import dev.rebound.config.BudgetPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TargetRetryStateTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final BudgetPolicy BUDGET = new BudgetPolicy(0.2, 0.0, Duration.ofSeconds(10));
    private static final Duration MINUTE = Duration.ofSeconds(60);

    private static TargetRetryState firsts(final int n, final Instant at) {
        TargetRetryState s = TargetRetryState.initial(4);
        for (int i = 0; i < n; i++) {
            s = s.onFirstAttempt(at);
        }
        return s;
    }

    @Test
    void shouldAllowRetriesUpToTheRatioOfFirstAttempts() {
        TargetRetryState s = firsts(10, T0);
        assertThat(s.budgetAllows(T0, BUDGET)).isTrue();
        s = s.onRetry(T0);
        assertThat(s.budgetAllows(T0, BUDGET)).isTrue();
        s = s.onRetry(T0);
        assertThat(s.budgetAllows(T0, BUDGET)).as("2 retries for 10 first attempts at 20 %").isFalse();
    }

    @Test
    void shouldAddTheFloorPerSecondOfTheWindow() {
        final BudgetPolicy floor = new BudgetPolicy(0.0, 0.5, Duration.ofSeconds(10));
        TargetRetryState s = TargetRetryState.initial(3);
        for (int i = 0; i < 5; i++) {
            assertThat(s.budgetAllows(T0, floor)).isTrue();
            s = s.onRetry(T0);
        }
        assertThat(s.budgetAllows(T0, floor)).as("0.5/s over 10 s is 5").isFalse();
    }

    @Test
    void shouldRefillTheBudgetAsTheWindowSlides() {
        TargetRetryState s = firsts(10, T0).onRetry(T0).onRetry(T0);
        assertThat(s.budgetAllows(T0, BUDGET)).isFalse();
        final Instant later = T0.plusSeconds(11);
        assertThat(s.budgetAllows(later, BUDGET)).as("old first attempts left the window too").isFalse();
        s = firsts(0, later).onFirstAttempt(later).onFirstAttempt(later).onFirstAttempt(later).onFirstAttempt(later).onFirstAttempt(later);
        assertThat(s.budgetAllows(later, BUDGET)).isTrue();
    }

    @Test
    void shouldLowerTheLimitUnderSustainedFailureAndRestoreItAfterSuccess() {
        final AdaptivePolicy policy = new AdaptivePolicy(true, 0.5, 10, Duration.ofSeconds(10));
        TargetRetryState s = TargetRetryState.initial(4);
        Instant t = T0;
        for (int i = 0; i < 10; i++) {
            s = s.onOutcome(t, Optional.of(ErrorCategory.SERVER_ERROR));
        }
        s = s.adapt(t, policy, 4, MINUTE);
        assertThat(s.effectiveMaxAttempts()).isEqualTo(3);
        assertThat(s.adapt(t.plusSeconds(5), policy, 4, MINUTE).effectiveMaxAttempts()).as("one step per 10 s").isEqualTo(3);
        t = t.plusSeconds(10);
        s = s.adapt(t, policy, 4, MINUTE);
        t = t.plusSeconds(10);
        s = s.adapt(t, policy, 4, MINUTE);
        t = t.plusSeconds(10);
        s = s.adapt(t, policy, 4, MINUTE);
        assertThat(s.effectiveMaxAttempts()).as("never below 1").isEqualTo(1);

        t = t.plusSeconds(61);
        for (int i = 0; i < 20; i++) {
            s = s.onOutcome(t, Optional.empty());
        }
        for (int i = 0; i < 5; i++) {
            t = t.plusSeconds(10);
            s = s.adapt(t, policy, 4, MINUTE);
        }
        assertThat(s.effectiveMaxAttempts()).as("back to the configured maximum, not above").isEqualTo(4);
    }

    @Test
    void shouldNotAdaptOnTooFewCalls() {
        TargetRetryState s = TargetRetryState.initial(4).onOutcome(T0, Optional.of(ErrorCategory.TIMEOUT));
        s = s.adapt(T0, new AdaptivePolicy(true, 0.5, 10, Duration.ofSeconds(10)), 4, MINUTE);
        assertThat(s.effectiveMaxAttempts()).isEqualTo(4);
    }

    @Test
    void shouldFlagACategoryThatCrossesTheThreshold() {
        TargetRetryState s = TargetRetryState.initial(3);
        for (int i = 0; i < 9; i++) {
            s = s.onOutcome(T0, Optional.of(ErrorCategory.RATE_LIMITED));
        }
        s = s.onOutcome(T0, Optional.of(ErrorCategory.TIMEOUT)).onOutcome(T0, Optional.empty());
        assertThat(s.patterns(T0, MINUTE, 10)).isEmpty();
        s = s.onOutcome(T0, Optional.of(ErrorCategory.RATE_LIMITED));
        assertThat(s.patterns(T0, MINUTE, 10)).containsExactly(ErrorCategory.RATE_LIMITED);
        assertThat(s.failureRate(T0, MINUTE)).isEqualTo(11.0 / 12);
        assertThat(s.patterns(T0.plusSeconds(70), MINUTE, 10)).as("the window moved on").isEmpty();
    }
}
