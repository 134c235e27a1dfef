package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.CircuitPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitMachineTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    private static CircuitPolicy policy(final CircuitPolicy.WindowType type, final boolean rateLimitedTrips) {
        return new CircuitPolicy(type, Duration.ofSeconds(60), 10, 10, 0.5, 5, Duration.ofSeconds(2), 0.8,
                Duration.ofSeconds(30), 2, rateLimitedTrips, CircuitPolicy.Scope.CLUSTER, true, Map.of());
    }

    private static final CircuitPolicy P = policy(CircuitPolicy.WindowType.TIME, false);

    private static Outcome ok(final Instant at) {
        return new Outcome("t", at, true, null, 50, "0_1");
    }

    private static Outcome fail(final Instant at, final ErrorCategory category) {
        return new Outcome("t", at, false, category, 50, "0_2");
    }

    private static CircuitMachine.Step feed(OwnerState s, final CircuitPolicy p, final Outcome... outcomes) {
        CircuitMachine.Step step = new CircuitMachine.Step(s, Optional.empty());
        for (final Outcome o : outcomes) {
            step = CircuitMachine.onOutcome(step.state(), o, p, "t");
            if (step.publish().isPresent()) {
                return step;
            }
        }
        return step;
    }

    @Test
    void shouldCoolATargetDownForItsOwnTimeOnACooldownCategory() {
        final CircuitPolicy p = new CircuitPolicy(CircuitPolicy.WindowType.TIME, Duration.ofSeconds(60), 10, 10, 0.5, 5,
                Duration.ofSeconds(2), 0.8, Duration.ofSeconds(30), 2, false, CircuitPolicy.Scope.CLUSTER, true,
                Map.of(ErrorCategory.QUOTA_EXHAUSTED, Duration.ofHours(1)));
        final CircuitMachine.Step one = feed(OwnerState.initial(p, T0), p, ok(T0), fail(T0, ErrorCategory.SERVER_ERROR));
        assertThat(one.state().state()).as("an ordinary failure waits for the window").isEqualTo(CircuitState.CLOSED);
        final CircuitMachine.Step quota = feed(one.state(), p, fail(T0.plusSeconds(1), ErrorCategory.QUOTA_EXHAUSTED));
        assertThat(quota.state().state()).isEqualTo(CircuitState.OPEN);
        assertThat(quota.state().openUntil()).isEqualTo(T0.plusSeconds(1).plus(Duration.ofHours(1)));
        assertThat(quota.publish()).hasValueSatisfying(r -> assertThat(r.reason()).contains("QUOTA_EXHAUSTED").contains("cooling down for 1h"));
        assertThat(CircuitMachine.onTick(quota.state(), p, "t", T0.plusSeconds(31)).state().state())
                .as("openFor does not end a cooldown").isEqualTo(CircuitState.OPEN);
        assertThat(CircuitMachine.onTick(quota.state(), p, "t", T0.plusSeconds(3602)).state().state()).isEqualTo(CircuitState.HALF_OPEN);
    }

    @Test
    void shouldOpenAfterConsecutiveFailuresBeforeMinCalls() {
        final CircuitMachine.Step step = feed(OwnerState.initial(P, T0), P, fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.TIMEOUT),
                fail(T0, ErrorCategory.NETWORK), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR));
        assertThat(step.state().state()).isEqualTo(CircuitState.OPEN);
        assertThat(step.state().openUntil()).isEqualTo(T0.plusSeconds(30));
        assertThat(step.publish()).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo("5 consecutive failures");
            assertThat(r.calls()).isEqualTo(5);
            assertThat(r.failureRate()).isEqualTo(1.0);
        });
    }

    @Test
    void shouldOpenOnTheFailureRateOnceMinCallsAreIn() {
        OwnerState s = OwnerState.initial(P, T0);
        for (int i = 0; i < 9; i++) {
            s = feed(s, P, i % 2 == 0 ? fail(T0, ErrorCategory.SERVER_ERROR) : ok(T0)).state();
        }
        assertThat(s.state()).as("9 calls < minCalls 10").isEqualTo(CircuitState.CLOSED);
        final CircuitMachine.Step step = feed(s, P, fail(T0, ErrorCategory.SERVER_ERROR));
        assertThat(step.state().state()).isEqualTo(CircuitState.OPEN);
        assertThat(step.publish()).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo("failure rate 0.60 over 10 calls"));
    }

    @Test
    void shouldOpenOnTheSlowCallRate() {
        OwnerState s = OwnerState.initial(P, T0);
        CircuitMachine.Step step = null;
        for (int i = 0; i < 10; i++) {
            step = CircuitMachine.onOutcome(s, new Outcome("t", T0, true, null, 2_500, "0_0"), P, "t");
            s = step.state();
        }
        assertThat(step.publish()).hasValueSatisfying(r -> assertThat(r.reason()).startsWith("slow-call rate 1.00"));
    }

    @Test
    void shouldNotTripOnRateLimitsUnlessConfigured() {
        OwnerState s = OwnerState.initial(P, T0);
        for (int i = 0; i < 12; i++) {
            s = feed(s, P, fail(T0, ErrorCategory.RATE_LIMITED)).state();
        }
        assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(s.window().rateLimited(T0)).isEqualTo(12);

        final CircuitPolicy trips = policy(CircuitPolicy.WindowType.TIME, true);
        final CircuitMachine.Step step = feed(OwnerState.initial(trips, T0), trips, fail(T0, ErrorCategory.RATE_LIMITED), fail(T0, ErrorCategory.RATE_LIMITED),
                fail(T0, ErrorCategory.RATE_LIMITED), fail(T0, ErrorCategory.RATE_LIMITED), fail(T0, ErrorCategory.RATE_LIMITED));
        assertThat(step.state().state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void shouldCountOnlyTheLastNCallsInACountWindow() {
        final CircuitPolicy count = policy(CircuitPolicy.WindowType.COUNT, false);
        OwnerState s = OwnerState.initial(count, T0);
        for (int i = 0; i < 4; i++) {
            s = feed(s, count, fail(T0, ErrorCategory.SERVER_ERROR), ok(T0)).state();
            s = feed(s, count, ok(T0)).state();
        }
        // 12 calls F O O F O O F O O F O O; the window keeps the last 10, with 3 failures
        assertThat(s.window().calls(T0)).isEqualTo(10);
        assertThat(s.window().failureRate(T0)).isEqualTo(0.3);
        assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void shouldMoveToHalfOpenAfterOpenForWithTheLatestReporterAsProbeTask() {
        final OwnerState open = feed(OwnerState.initial(P, T0), P, ok(T0), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR),
                fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR)).state();
        assertThat(CircuitMachine.onTick(open, P, "t", T0.plusSeconds(29)).publish()).isEmpty();
        final CircuitMachine.Step half = CircuitMachine.onTick(open, P, "t", T0.plusSeconds(30));
        assertThat(half.state().state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(half.publish()).hasValueSatisfying(r -> {
            assertThat(r.probeTask()).isEqualTo("0_2");
            assertThat(r.probes()).isEqualTo(2);
        });
    }

    @Test
    void shouldCloseAfterEnoughProbeSuccessesAndReopenOnAProbeFailure() {
        final OwnerState open = feed(OwnerState.initial(P, T0), P, fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR),
                fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR)).state();
        final OwnerState half = CircuitMachine.onTick(open, P, "t", T0.plusSeconds(30)).state();
        final Instant t = T0.plusSeconds(31);
        final CircuitMachine.Step one = CircuitMachine.onOutcome(half, ok(t), P, "t");
        assertThat(one.publish()).isEmpty();
        final CircuitMachine.Step two = CircuitMachine.onOutcome(one.state(), ok(t), P, "t");
        assertThat(two.state().state()).isEqualTo(CircuitState.CLOSED);
        assertThat(two.publish()).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo("2 probe(s) succeeded"));
        assertThat(two.state().window().calls(t)).as("a closed circuit starts a fresh window").isZero();

        final CircuitMachine.Step reopened = CircuitMachine.onOutcome(one.state(), fail(t, ErrorCategory.TIMEOUT), P, "t");
        assertThat(reopened.state().state()).isEqualTo(CircuitState.OPEN);
        assertThat(reopened.state().openUntil()).isEqualTo(t.plusSeconds(30));
    }

    @Test
    void shouldHandProbingToAnotherReporterWhenTheProbeTaskIsSilent() {
        final OwnerState open = feed(OwnerState.initial(P, T0), P, ok(T0), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR),
                fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR)).state();
        final OwnerState half = CircuitMachine.onTick(open, P, "t", T0.plusSeconds(30)).state();
        final CircuitMachine.Step rotated = CircuitMachine.onTick(half, P, "t", T0.plusSeconds(60));
        assertThat(rotated.publish()).hasValueSatisfying(r -> assertThat(r.probeTask()).isEqualTo("0_1"));
    }

    @Test
    void shouldIgnoreOutcomesWhileOpen() {
        final OwnerState open = feed(OwnerState.initial(P, T0), P, fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR),
                fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR), fail(T0, ErrorCategory.SERVER_ERROR)).state();
        final CircuitMachine.Step step = CircuitMachine.onOutcome(open, ok(T0), P, "t");
        assertThat(step.state().state()).isEqualTo(CircuitState.OPEN);
        assertThat(step.publish()).isEmpty();
    }

    @Test
    void shouldTreatTheRequestsOwnFaultsAsNoSignalAboutTheTarget() {
        assertThat(CircuitMachine.isTargetFailure(ErrorCategory.VALIDATION)).isFalse();
        assertThat(CircuitMachine.isTargetFailure(ErrorCategory.CONTEXT_TOO_LONG)).isFalse();
        assertThat(CircuitMachine.isTargetFailure(ErrorCategory.SERVER_ERROR)).isTrue();
        assertThat(CircuitMachine.isTargetFailure(ErrorCategory.NETWORK)).isTrue();
    }
}
