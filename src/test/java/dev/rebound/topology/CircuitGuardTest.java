package dev.rebound.topology;

import dev.rebound.circuit.Admission;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.CircuitState;
import dev.rebound.circuit.ControlRecord;
import dev.rebound.circuit.Outcome;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.testkit.Configs;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The executor task's side of admission: switches, circuits of the lineage, probes, the local breaker, outcomes. */
class CircuitGuardTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final String TASK = "0_2";

    private static final ReboundConfig CONFIG = Configs.parse("""
            kafka:
              application.id: rebound-test
            targets:
              provider:
                kind: group
              llm:
                parent: provider
                url: http://127.0.0.1:1/v1/chat
                circuit: { consecutiveFailures: 2 }
              solo:
                url: http://127.0.0.1:1/v1/chat
                circuit: { consecutiveFailures: 2, openFor: 30s, scope: task }
              off:
                url: http://127.0.0.1:1/v1/chat
                circuit: { enabled: false }
            """);

    private static final TargetConfig LLM = CONFIG.target("llm").orElseThrow();
    private static final TargetConfig SOLO = CONFIG.target("solo").orElseThrow();
    private static final TargetConfig OFF = CONFIG.target("off").orElseThrow();

    private KeyValueStore<String, CircuitRecord> circuits;
    private KeyValueStore<String, ControlRecord> controls;
    private CircuitGuard guard;

    @BeforeEach
    void openStores() {
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        circuits = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("circuits"), Serdes.String(),
                JsonSerde.of(CircuitRecord.class)).withLoggingDisabled().build();
        controls = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("controls"), Serdes.String(),
                JsonSerde.of(ControlRecord.class)).withLoggingDisabled().build();
        circuits.init(context.getStateStoreContext(), circuits);
        controls.init(context.getStateStoreContext(), controls);
        guard = new CircuitGuard(CONFIG, circuits, controls, TASK, new SplittableRandom(7));
    }

    private static CircuitRecord record(final String target, final CircuitState state, final String probeTask) {
        return new CircuitRecord(target, state, T0, "why", 10, 1.0, 0, 5, state == CircuitState.OPEN ? T0.plusSeconds(30) : null,
                state == CircuitState.HALF_OPEN ? 1 : 0, probeTask, null, null);
    }

    @Test
    void shouldAdmitWhenNothingIsKnown() {
        assertThat(guard.admit("r1", LLM, T0)).isEqualTo(new Admission.Admit(false, null));
    }

    @Test
    void shouldDeferWhileAParentGroupIsOpen() {
        circuits.put("provider", record("provider", CircuitState.OPEN, null));

        assertThat(guard.admit("r1", LLM, T0)).isInstanceOfSatisfying(Admission.Defer.class, d -> {
            assertThat(d.why()).isEqualTo(Admission.Why.CIRCUIT);
            assertThat(d.until()).isEqualTo(T0.plusSeconds(30));
        });
    }

    @Test
    void shouldHonourAnOperatorsSwitchEvenWithTheCircuitOff() {
        circuits.put("off", record("off", CircuitState.OPEN, null));

        assertThat(guard.admit("r1", OFF, T0)).as("a circuit that is off is not consulted").isInstanceOf(Admission.Admit.class);

        controls.put("off", new ControlRecord(true, "maintenance", T0, "ops"));

        assertThat(guard.admit("r2", OFF, T0)).isInstanceOfSatisfying(Admission.Defer.class,
                d -> assertThat(d.why()).isEqualTo(Admission.Why.DISABLED));
    }

    @Test
    void shouldCountAProbeUntilItsCallEndsOrIsForgotten() {
        circuits.put("llm", record("llm", CircuitState.HALF_OPEN, TASK));

        assertThat(guard.admit("r1", LLM, T0)).isEqualTo(new Admission.Admit(true, "llm"));
        assertThat(guard.admit("r2", LLM, T0)).as("one probe allowed, one running").isInstanceOf(Admission.Defer.class);

        guard.forget("r1");

        assertThat(guard.admit("r2", LLM, T0)).isEqualTo(new Admission.Admit(true, "llm"));
    }

    @Test
    void shouldLeaveProbingToTheProbeTask() {
        circuits.put("llm", record("llm", CircuitState.HALF_OPEN, "0_9"));

        assertThat(guard.admit("r1", LLM, T0)).isInstanceOf(Admission.Defer.class);
    }

    @Test
    void shouldTripTheLocalBreakerOfATaskScopedCircuitAndIgnoreTheStore() {
        circuits.put("solo", record("solo", CircuitState.OPEN, null));

        assertThat(guard.admit("r1", SOLO, T0)).as("scope task: no shared circuit").isInstanceOf(Admission.Admit.class);

        guard.ended("r1", SOLO, Optional.of(ErrorCategory.SERVER_ERROR), 10, T0);
        guard.ended("r2", SOLO, Optional.of(ErrorCategory.TIMEOUT), 10, T0);

        assertThat(guard.admit("r3", SOLO, T0)).isInstanceOfSatisfying(Admission.Defer.class, d -> {
            assertThat(d.why()).isEqualTo(Admission.Why.LOCAL);
            assertThat(d.until()).isEqualTo(T0.plusSeconds(30));
        });
        assertThat(guard.takeOutcomes()).as("a task-scoped circuit reports to no owner").isEmpty();
    }

    @Test
    void shouldNotTripTheLocalBreakerOnTheRequestsOwnFaults() {
        guard.ended("r1", SOLO, Optional.of(ErrorCategory.VALIDATION), 10, T0);
        guard.ended("r2", SOLO, Optional.of(ErrorCategory.CONTEXT_TOO_LONG), 10, T0);

        assertThat(guard.admit("r3", SOLO, T0)).isInstanceOf(Admission.Admit.class);
    }

    @Test
    void shouldReportEachOutcomeToTheTargetAndItsAncestorsOnce() {
        guard.ended("r1", LLM, Optional.of(ErrorCategory.SERVER_ERROR), 25, T0);
        guard.ended("r2", LLM, Optional.of(ErrorCategory.VALIDATION), 5, T0.plusSeconds(1));

        final Map<String, List<Outcome>> outcomes = guard.takeOutcomes();

        assertThat(outcomes).containsOnlyKeys("llm", "provider");
        assertThat(outcomes.get("llm")).containsExactly(
                new Outcome("llm", T0, false, ErrorCategory.SERVER_ERROR, 25, TASK),
                new Outcome("llm", T0.plusSeconds(1), true, ErrorCategory.VALIDATION, 5, TASK));
        assertThat(outcomes.get("provider")).isEqualTo(outcomes.get("llm"));
        assertThat(guard.takeOutcomes()).as("taken once").isEmpty();
    }

    @Test
    void shouldReportNothingForACircuitThatIsOff() {
        guard.ended("r1", OFF, Optional.of(ErrorCategory.SERVER_ERROR), 25, T0);

        assertThat(guard.takeOutcomes()).isEmpty();
    }
}
