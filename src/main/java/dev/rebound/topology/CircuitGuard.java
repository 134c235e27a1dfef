package dev.rebound.topology;

import dev.rebound.circuit.Admission;
import dev.rebound.circuit.CircuitMachine;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.ControlRecord;
import dev.rebound.circuit.LocalBreakers;
import dev.rebound.circuit.Outcome;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The executor task's side of admission: asks before each call (the operators' switches and the
 * global circuits store, for the target and its ancestors, then this task's local breaker), counts this task's HALF_OPEN probe
 * calls, and turns each attempt's end into the outcomes the owners need. Stream-thread only.
 */
final class CircuitGuard {


    private final ReboundConfig config;
    private final KeyValueStore<String, CircuitRecord> circuits;
    private final KeyValueStore<String, ControlRecord> controls;
    private final String task;
    private final RandomGenerator random;
    private final LocalBreakers local = new LocalBreakers();
    /** Probe calls running from this task: request id to the target they probe. */
    private final Map<String, String> probes = new HashMap<>();
    private final Map<String, Integer> probesPerTarget = new HashMap<>();
    private final Map<String, List<Outcome>> pending = new LinkedHashMap<>();

    CircuitGuard(final ReboundConfig config, final KeyValueStore<String, CircuitRecord> circuits,
                 final KeyValueStore<String, ControlRecord> controls, final String task, final RandomGenerator random) {
        this.config = config;
        this.random = random;
        this.circuits = circuits;
        this.controls = controls;
        this.task = task;
    }

    /** Whether request {@code id} may call {@code target} now; an admitted probe is counted until {@link #ended}. */
    Admission.Decision admit(final String id, final TargetConfig target, final Instant now) {
        // the circuits count only when on and decided for the cluster; the operators' switches always
        final boolean consult = target.circuit().enabled() && target.circuit().scope() == CircuitPolicy.Scope.CLUSTER;
        final List<Admission.Level> levels = new ArrayList<>();
        for (final TargetConfig t : lineage(target)) {
            levels.add(new Admission.Level(t.name(), controls.get(t.name()), consult ? circuits.get(t.name()) : null,
                    consult ? probesPerTarget.getOrDefault(t.name(), 0) : 0));
        }
        if (!target.circuit().enabled()) {
            return Admission.decide(levels, task, null, 0.0, now);
        }
        final Admission.Decision d = Admission.decide(levels, task, local.until(target.name(), now), random.nextDouble(), now);
        if (d instanceof Admission.Admit a && a.probe()) {
            probes.put(id, a.probeTarget());
            probesPerTarget.merge(a.probeTarget(), 1, Integer::sum);
        }
        return d;
    }

    /**
     * Whether {@code target} refuses calls now (an OPEN or probing circuit, an operator switch, the
     * local breaker), asked for attempts admitted earlier that still wait for a slot; asks nothing
     * of the ramp and counts no probe.
     */
    Optional<Admission.Defer> refuses(final TargetConfig target, final Instant now) {
        final boolean consult = target.circuit().enabled() && target.circuit().scope() == CircuitPolicy.Scope.CLUSTER;
        final List<Admission.Level> levels = new ArrayList<>();
        for (final TargetConfig t : lineage(target)) {
            levels.add(new Admission.Level(t.name(), controls.get(t.name()), consult ? circuits.get(t.name()) : null, 0));
        }
        final Admission.Decision d = Admission.decide(levels, task, target.circuit().enabled() ? local.until(target.name(), now) : null,
                0.0, now);
        return d instanceof Admission.Defer defer && defer.why() != Admission.Why.RAMP ? Optional.of(defer) : Optional.empty();
    }

    /** Request {@code id} will not make the call it was admitted for (no room, or it ended): its probe slot, if any, is free again. */
    void forget(final String id) {
        final String probed = probes.remove(id);
        if (probed != null) {
            probesPerTarget.merge(probed, -1, Integer::sum);
        }
    }

    /**
     * An attempt of request {@code id} ended: frees its probe slot, updates the local breaker, and
     * keeps the outcome for the owners of the target's and its ancestors' circuits (none when the
     * circuit is off or kept per task) until {@link #takeOutcomes}.
     */
    void ended(final String id, final TargetConfig target, final Optional<ErrorCategory> failure, final long durationMs,
               final Instant now) {
        forget(id);
        final CircuitPolicy policy = target.circuit();
        if (!policy.enabled()) {
            return;
        }
        final boolean targetFailure = failure.filter(CircuitMachine::isTargetFailure)
                .filter(c -> c != ErrorCategory.RATE_LIMITED || policy.rateLimitedTrips()).isPresent();
        local.onOutcome(target, targetFailure, now);
        if (policy.scope() != CircuitPolicy.Scope.CLUSTER) {
            return;
        }
        // the owner counts a request's own faults as calls, not failures, and judges RATE_LIMITED by its policy
        final boolean success = failure.map(f -> !CircuitMachine.isTargetFailure(f)).orElse(true);
        final Outcome outcome = new Outcome(target.name(), now, success, failure.orElse(null), durationMs, task);
        for (final TargetConfig t : lineage(target)) {
            if (t.kind() == TargetConfig.Kind.POOL) {
                continue; // a pool has no window of its own: it admits while any endpoint does
            }
            pending.computeIfAbsent(t.name(), n -> new ArrayList<>()).add(outcome);
        }
    }

    /**
     * The outcomes gathered since the last call, by the circuit they count for, in the order the
     * calls ended: one record per target and tick instead of one per call, which the owner applies
     * one by one as before.
     */
    Map<String, List<Outcome>> takeOutcomes() {
        if (pending.isEmpty()) {
            return Map.of();
        }
        final Map<String, List<Outcome>> out = new LinkedHashMap<>(pending);
        pending.clear();
        return out;
    }

    /** The target, its parent, its grandparent, ... */
    private List<TargetConfig> lineage(final TargetConfig target) {
        final List<TargetConfig> out = new ArrayList<>();
        for (TargetConfig t = target; t != null; t = t.parent().flatMap(config::target).orElse(null)) {
            out.add(t);
        }
        return out;
    }
}
