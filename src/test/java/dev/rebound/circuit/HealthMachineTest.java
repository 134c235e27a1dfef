package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.RecoveryPolicy;
import dev.rebound.recovery.HealthState;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recovery's state machine with an injected clock: every move, the ramp, failure during the ramp. */
class HealthMachineTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final CircuitPolicy P = new CircuitPolicy(CircuitPolicy.WindowType.TIME, Duration.ofSeconds(60), 10, 10, 0.5, 3,
            Duration.ofSeconds(2), 0.8, Duration.ofSeconds(30), 2, false, CircuitPolicy.Scope.CLUSTER, true, Map.of());
    /** checks every 1s; 2 failed checks degrade, 2 passed recover, 4 failed fail; steps 10/25/50/100 every 5s */
    private static final RecoveryPolicy R = new RecoveryPolicy(Optional.of(URI.create("http://h/health")), Optional.empty(),
            Duration.ofSeconds(1), Duration.ofMillis(500), 2, 2, 4, List.of(10, 25, 50, 100), Duration.ofSeconds(5));

    private OwnerState s = OwnerState.initial(P, T0);
    private Instant now = T0;
    private CircuitRecord published;

    private void check(final boolean passed) {
        now = now.plusSeconds(1);
        take(HealthMachine.onCheck(s, passed, passed ? "HTTP 200" : "HTTP 503", P, R, "t", now));
    }

    private void tick(final Duration d) {
        now = now.plus(d);
        take(CircuitMachine.onTick(s, P, Optional.of(R), "t", now));
    }

    private void take(final CircuitMachine.Step step) {
        s = step.state();
        published = step.publish().orElse(null);
    }

    private void degrade() {
        check(false);
        check(false);
    }

    @Test
    void shouldDegradeAfterFailedChecksAndStopOrdinaryTraffic() {
        check(false);
        assertThat(s.health().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(published).isNull();
        check(true);
        check(false);
        assertThat(s.health().state()).as("failures must be in a row").isEqualTo(HealthState.HEALTHY);
        check(false);
        assertThat(s.health().state()).isEqualTo(HealthState.DEGRADED);
        assertThat(s.state()).isEqualTo(CircuitState.OPEN);
        assertThat(published.health()).isEqualTo(HealthState.DEGRADED);
        assertThat(published.trafficPercent()).as("a degraded target gets no ordinary traffic").isZero();
        assertThat(published.reason()).contains("2 health checks failed in a row (HTTP 503)");
    }

    @Test
    void shouldDegradeWhenRealCallsTripTheCircuit() {
        for (int i = 0; i < 3; i++) {
            take(CircuitMachine.onOutcome(s, new Outcome("t", now, false, ErrorCategory.SERVER_ERROR, 10, "0_1"), P, Optional.of(R), "t"));
        }
        assertThat(s.state()).isEqualTo(CircuitState.OPEN);
        assertThat(s.health().state()).isEqualTo(HealthState.DEGRADED);
        tick(Duration.ofMinutes(5));
        assertThat(s.state()).as("with recovery, openFor does not end it: the checks do").isEqualTo(CircuitState.OPEN);
    }

    @Test
    void shouldRampThroughEveryStepWhileHealthyThenCloseAtFullTraffic() {
        degrade();
        check(true);
        assertThat(s.health().state()).isEqualTo(HealthState.DEGRADED);
        check(true);
        assertThat(s.health().state()).isEqualTo(HealthState.RECOVERING);
        assertThat(s.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(published.trafficPercent()).isEqualTo(10);
        assertThat(published.probes()).as("the ramp admits a share, not a probe count").isZero();
        tick(Duration.ofSeconds(4));
        assertThat(published).as("a step lasts stepEvery").isNull();
        tick(Duration.ofSeconds(1));
        assertThat(published.trafficPercent()).isEqualTo(25);
        assertThat(published.reason()).isEqualTo("ramping: 25% of traffic (step 2 of 4)");
        check(true);
        tick(Duration.ofSeconds(5));
        assertThat(published.trafficPercent()).isEqualTo(50);
        tick(Duration.ofSeconds(5));
        assertThat(s.state()).isEqualTo(CircuitState.CLOSED);
        assertThat(s.health().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(published.trafficPercent()).isEqualTo(100);
        assertThat(published.reason()).contains("full traffic after 3 healthy step(s)");
    }

    @Test
    void shouldNotStepUpWhileTheLastCheckFailedAndDropToDegradedAtOnce() {
        degrade();
        check(true);
        check(true);
        take(HealthMachine.onCheck(s, false, "HTTP 503", P, R, "t", now.plusMillis(10)));
        assertThat(s.health().state()).as("one failed check during the ramp").isEqualTo(HealthState.DEGRADED);
        assertThat(s.state()).isEqualTo(CircuitState.OPEN);
        assertThat(published.reason()).contains("while recovering at 10%");
    }

    @Test
    void shouldDropToDegradedOnOneFailedCallDuringTheRamp() {
        degrade();
        check(true);
        check(true);
        tick(Duration.ofSeconds(5));
        assertThat(s.health().percent()).isEqualTo(25);
        take(CircuitMachine.onOutcome(s, new Outcome("t", now, true, null, 10, "0_1"), P, Optional.of(R), "t"));
        assertThat(s.state()).as("successes do not close it early: the ramp does").isEqualTo(CircuitState.HALF_OPEN);
        take(CircuitMachine.onOutcome(s, new Outcome("t", now, false, ErrorCategory.TIMEOUT, 10, "0_1"), P, Optional.of(R), "t"));
        assertThat(s.health().state()).isEqualTo(HealthState.DEGRADED);
        assertThat(published.reason()).isEqualTo("a call failed with TIMEOUT while recovering at 25%");
        assertThat(published.trafficPercent()).isZero();
    }

    @Test
    void shouldFailAfterSustainedFailureAndRecoverFromFailed() {
        degrade();
        for (int i = 0; i < 3; i++) {
            check(false);
        }
        assertThat(s.health().state()).isEqualTo(HealthState.DEGRADED);
        check(false);
        assertThat(s.health().state()).isEqualTo(HealthState.FAILED);
        assertThat(published.health()).isEqualTo(HealthState.FAILED);
        assertThat(published.reason()).contains("treated as disabled until it recovers");
        check(true);
        check(true);
        assertThat(s.health().state()).isEqualTo(HealthState.RECOVERING);
        assertThat(published.trafficPercent()).isEqualTo(10);
    }

    @Test
    void shouldRefuseIllegalHealthMoves() {
        assertThatThrownBy(() -> HealthState.HEALTHY.moveTo(HealthState.RECOVERING)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HealthState.FAILED.moveTo(HealthState.HEALTHY)).isInstanceOf(IllegalStateException.class);
        assertThat(HealthState.RECOVERING.moveTo(HealthState.DEGRADED)).isEqualTo(HealthState.DEGRADED);
    }
}
