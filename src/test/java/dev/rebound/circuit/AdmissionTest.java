package dev.rebound.circuit;

import dev.rebound.recovery.HealthState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private static CircuitRecord rec(final String target, final CircuitState state, final Instant openUntil, final String probeTask) {
        return new CircuitRecord(target, state, NOW, "why", 10, 1.0, 0, 5, openUntil, state == CircuitState.HALF_OPEN ? 2 : 0, probeTask,
                null, null);
    }

    /** The circuits of a lineage, level by level, with this task's probes in flight and no operator switch set. */
    private static List<Admission.Level> circuits(final List<CircuitRecord> chain, final List<Integer> probes) {
        final List<Admission.Level> levels = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            final CircuitRecord c = chain.get(i);
            levels.add(new Admission.Level(c == null ? "level-" + i : c.target(), null, c, probes.get(i)));
        }
        return levels;
    }

    private static Admission.Decision decide(final List<CircuitRecord> chain, final String task, final List<Integer> probes,
                                             final Instant localUntil, final double draw, final Instant now) {
        return Admission.decide(circuits(chain, probes), task, localUntil, draw, now);
    }

    private static Admission.Decision decide(final List<CircuitRecord> chain, final String task, final List<Integer> probes,
                                             final Instant localUntil, final Instant now) {
        return decide(chain, task, probes, localUntil, 0.0, now);
    }

    @Test
    void shouldAdmitWithoutRecordsOrWhenClosed() {
        assertThat(decide(Arrays.asList(null, null), "0_0", List.of(0, 0), null, NOW)).isEqualTo(new Admission.Admit(false, null));
        assertThat(decide(List.of(rec("t", CircuitState.CLOSED, null, null)), "0_0", List.of(0), null, NOW))
                .isInstanceOf(Admission.Admit.class);
    }

    @Test
    void shouldDeferUntilAnOpenCircuitMayProbe() {
        final Admission.Decision d = decide(List.of(rec("t", CircuitState.OPEN, NOW.plusSeconds(12), null)), "0_0",
                List.of(0), null, NOW);
        assertThat(d).isEqualTo(new Admission.Defer(NOW.plusSeconds(12), "the circuit of t is OPEN (why)", Admission.Why.CIRCUIT));
    }

    @Test
    void shouldDeferAChildWhoseParentIsOpen() {
        final Admission.Decision d = decide(Arrays.asList(null, rec("provider", CircuitState.OPEN, NOW.plusSeconds(5), null)),
                "0_0", List.of(0, 0), null, NOW);
        assertThat(d).isInstanceOfSatisfying(Admission.Defer.class, x -> assertThat(x.reason()).contains("provider is OPEN"));
    }

    @Test
    void shouldAdmitProbesOnlyFromTheProbeTaskAndOnlyAsManyAsAllowed() {
        final CircuitRecord half = rec("t", CircuitState.HALF_OPEN, null, "0_3");
        assertThat(decide(List.of(half), "0_3", List.of(0), null, NOW)).isEqualTo(new Admission.Admit(true, "t"));
        assertThat(decide(List.of(half), "0_3", List.of(1), null, NOW)).isEqualTo(new Admission.Admit(true, "t"));
        assertThat(decide(List.of(half), "0_3", List.of(2), null, NOW)).isInstanceOf(Admission.Defer.class);
        assertThat(decide(List.of(half), "0_1", List.of(0), null, NOW)).isInstanceOf(Admission.Defer.class);
    }

    @Test
    void shouldRefuseADisabledTargetOrAChildOfADisabledGroupBeforeAnythingElse() {
        final ControlRecord off = new ControlRecord(true, "provider incident", NOW, "ops");
        final Admission.Decision d = Admission.decide(List.of(new Admission.Level("chat", null, rec("chat", CircuitState.HALF_OPEN, null, "0_0"), 0),
                new Admission.Level("provider", off, null, 0)), "0_0", null, 0.0, NOW);
        assertThat(d).isEqualTo(new Admission.Defer(NOW.plusSeconds(1), "provider is disabled by an operator: provider incident",
                Admission.Why.DISABLED));
        final ControlRecord on = new ControlRecord(false, "fixed", NOW, "ops");
        assertThat(Admission.decide(List.of(new Admission.Level("chat", on, null, 0)), "0_0", null, 0.0, NOW))
                .isInstanceOf(Admission.Admit.class);
    }

    private static CircuitRecord recovering(final String target, final int percent) {
        return new CircuitRecord(target, CircuitState.HALF_OPEN, NOW, "ramping", 0, 0, 0, 0, null, 0, null, HealthState.RECOVERING, percent);
    }

    @Test
    void shouldAdmitTheRampsShareFromEveryTaskByTheRequestsDraw() {
        final List<CircuitRecord> chain = List.of(recovering("t", 25));
        assertThat(decide(chain, "any-task", List.of(0), null, 0.2499, NOW))
                .isEqualTo(new Admission.Admit(false, null));
        assertThat(decide(chain, "any-task", List.of(0), null, 0.25, NOW))
                .isEqualTo(new Admission.Defer(NOW.plusSeconds(1), "t is recovering and admits 25% of requests; this one was not admitted",
                        Admission.Why.RAMP));
        // a child recovering under a recovering parent passes both draws' thresholds with the same draw
        assertThat(decide(List.of(recovering("c", 50), recovering("p", 10)), "x", List.of(0, 0), null,
                0.3, NOW)).isInstanceOf(Admission.Defer.class);
    }

    @Test
    void shouldTreatAFailedTargetAsDisabled() {
        final CircuitRecord failed = new CircuitRecord("t", CircuitState.OPEN, NOW, "30 health checks failed in a row", 0, 0, 0, 0,
                NOW.plusSeconds(10), 0, null, HealthState.FAILED, 0);
        assertThat(decide(List.of(failed), "x", List.of(0), null, 0.0, NOW))
                .isInstanceOfSatisfying(Admission.Defer.class, d -> {
                    assertThat(d.why()).isEqualTo(Admission.Why.DISABLED);
                    assertThat(d.reason()).contains("t FAILED its health checks");
                });
    }

    @Test
    void shouldHonourTheLocalBreaker() {
        assertThat(decide(List.of(), "0_0", List.of(), NOW.plusSeconds(2), NOW))
                .isEqualTo(new Admission.Defer(NOW.plusSeconds(2), "the local breaker of this task tripped after consecutive failures",
                        Admission.Why.LOCAL));
        assertThat(decide(List.of(), "0_0", List.of(), NOW, NOW)).isInstanceOf(Admission.Admit.class);
    }
}
