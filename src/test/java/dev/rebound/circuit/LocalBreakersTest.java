package dev.rebound.circuit;

import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** A task's local breaker: a hold after enough failures in a row from this task, cleared by a success. */
class LocalBreakersTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    private static final ReboundConfig CONFIG = Configs.parse("""
            kafka:
              application.id: rebound-test
            targets:
              cluster:
                url: http://127.0.0.1:1/v1/chat
                circuit: { consecutiveFailures: 3, openFor: 30s }
              task:
                url: http://127.0.0.1:1/v1/chat
                circuit: { consecutiveFailures: 3, openFor: 30s, scope: task }
              quick:
                url: http://127.0.0.1:1/v1/chat
                circuit: { consecutiveFailures: 2, openFor: 500ms }
            """);

    private static final TargetConfig CLUSTER = CONFIG.target("cluster").orElseThrow();
    private static final TargetConfig TASK = CONFIG.target("task").orElseThrow();
    private static final TargetConfig QUICK = CONFIG.target("quick").orElseThrow();

    private final LocalBreakers breakers = new LocalBreakers();

    private void fail(final TargetConfig target, final int times, final Instant at) {
        for (int i = 0; i < times; i++) {
            breakers.onOutcome(target, true, at);
        }
    }

    @Test
    void shouldLetCallsThroughUntilEnoughFailuresInARow() {
        fail(TASK, 2, T0);

        assertThat(breakers.until("task", T0)).isNull();
    }

    @Test
    void shouldHoldForOpenForWhenTheBreakerIsTheTasksOwn() {
        fail(TASK, 3, T0);

        assertThat(breakers.until("task", T0)).isEqualTo(T0.plusSeconds(30));
        assertThat(breakers.until("task", T0.plusSeconds(29))).isEqualTo(T0.plusSeconds(30));
        assertThat(breakers.until("task", T0.plusSeconds(30))).as("the hold is over").isNull();
    }

    @Test
    void shouldHoldOnlyUntilTheOwnersDecisionCanArriveUnderClusterScope() {
        fail(CLUSTER, 3, T0);

        assertThat(breakers.until("cluster", T0)).isEqualTo(T0.plus(LocalBreakers.CLUSTER_HOLD)).isEqualTo(T0.plus(Duration.ofSeconds(2)));
    }

    @Test
    void shouldHoldForOpenForWhenItIsShorterThanTheClusterHold() {
        fail(QUICK, 2, T0);

        assertThat(breakers.until("quick", T0)).isEqualTo(T0.plusMillis(500));
    }

    @Test
    void shouldStartCountingAgainAfterASuccess() {
        fail(TASK, 2, T0);
        breakers.onOutcome(TASK, false, T0);
        fail(TASK, 2, T0);

        assertThat(breakers.until("task", T0)).as("two and two failures, not four in a row").isNull();
    }

    @Test
    void shouldClearAHoldOnASuccess() {
        fail(TASK, 3, T0);
        breakers.onOutcome(TASK, false, T0.plusSeconds(1));

        assertThat(breakers.until("task", T0.plusSeconds(1))).isNull();
    }

    @Test
    void shouldExtendTheHoldWhenFailuresGoOnAfterIt() {
        fail(TASK, 3, T0);
        fail(TASK, 1, T0.plusSeconds(40));

        assertThat(breakers.until("task", T0.plusSeconds(40))).isEqualTo(T0.plusSeconds(70));
    }

    @Test
    void shouldKeepEachTargetApart() {
        fail(TASK, 3, T0);

        assertThat(breakers.until("cluster", T0)).isNull();
    }
}
