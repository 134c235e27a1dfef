package dev.rebound.topology;

import dev.rebound.circuit.CircuitMachine;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.HealthMachine;
import dev.rebound.circuit.Outcome;
import dev.rebound.circuit.OwnerState;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.RecoveryPolicy;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.HealthChecker;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The owner of circuits: all outcomes for a target are keyed by its name, so they reach exactly one
 * task, which keeps the target's window in a state store, decides every transition with
 * {@link CircuitMachine}, and publishes it to the compacted {@code agent-circuits} topic. One circuit
 * per target for the whole application, however many instances and partitions.
 */
final class CircuitOwnerProcessor implements Processor<String, byte[], String, byte[]> {

    /** How often open circuits are checked for the end of {@code openFor}. */
    static final Duration TICK = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(CircuitOwnerProcessor.class);

    private final ReboundConfig config;
    private final ReboundMetrics metrics;
    private final HealthChecker checker;
    /** Finished health checks, handed from the HTTP client's threads to the stream thread. */
    private final Queue<HealthChecker.Result> checked = new ConcurrentLinkedQueue<>();
    /** Targets with a check running, and when each target's last check started (in memory: after a restart checks start at once). */
    private final Set<String> checking = new HashSet<>();
    private final Map<String, Instant> lastCheck = new HashMap<>();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, OwnerState> owned;
    /** Owned states as last decided, ahead of the store by at most one tick for window counts. */
    private final Map<String, OwnerState> live = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();

    CircuitOwnerProcessor(final ReboundConfig config, final ReboundMetrics metrics, final HealthChecker checker) {
        this.config = config;
        this.metrics = metrics;
        this.checker = checker;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.owned = context.getStateStore(StoreNames.CIRCUIT_OWNER);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final TargetConfig target = config.target(record.key()).orElse(null);
        if (target == null || record.value() == null || record.headers().lastHeader(Topics.DEMAND_HEADER) != null) {
            return; // a target removed from the configuration (its circuit no longer matters), or a rate-limit demand
        }
        if (record.headers().lastHeader(Topics.REGISTER_HEADER) != null) {
            if (!live.containsKey(target.name()) && owned.get(target.name()) == null) {
                owned.put(target.name(), current(target)); // owned from now on: its health checks start at the next tick
            }
            return;
        }
        // the owner's clock, not the reporter's: instances disagree about the time, and openUntil must not
        final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        final List<Outcome> reported;
        try {
            reported = OutcomeBatch.decode(record.value(), target.name(), now);
        } catch (final RuntimeException e) {
            LOG.warn("skipping an unreadable outcome for '{}': {}", target.name(), e.toString());
            return;
        }
        for (final Outcome outcome : reported) {
            apply(target, CircuitMachine.onOutcome(current(target), outcome, target.circuit(), target.recovery(), target.name()));
        }
    }

    /**
     * Applies finished health checks, moves open circuits and ramps on with time, and starts the
     * checks that are due: every {@code recovery.interval}, for each owned target with a recovery
     * policy, whatever its traffic.
     */
    private void tick(final long timestamp) {
        final Instant now = Instant.ofEpochMilli(timestamp);
        for (HealthChecker.Result r = checked.poll(); r != null; r = checked.poll()) {
            checking.remove(r.target());
            final HealthChecker.Result result = r;
            config.target(r.target()).ifPresent(t -> t.recovery().ifPresent(policy -> {
                metrics.healthCheck(t.name(), result.passed());
                apply(t, HealthMachine.onCheck(current(t), result.passed(), result.detail(), t.circuit(), policy, t.name(), now));
            }));
        }
        flush();
        final List<KeyValue<String, OwnerState>> all = new ArrayList<>();
        try (KeyValueIterator<String, OwnerState> it = owned.all()) {
            it.forEachRemaining(all::add);
        }
        for (final KeyValue<String, OwnerState> kv : all) {
            final TargetConfig t = config.target(kv.key).orElse(null);
            if (t == null) {
                continue;
            }
            apply(t, CircuitMachine.onTick(kv.value, t.circuit(), t.recovery(), t.name(), now));
            t.recovery().ifPresent(policy -> startCheckIfDue(t, policy, now));
        }
    }

    private void startCheckIfDue(final TargetConfig t, final RecoveryPolicy policy, final Instant now) {
        final Instant last = lastCheck.get(t.name());
        if (checking.contains(t.name()) || (last != null && now.isBefore(last.plus(policy.interval())))) {
            return;
        }
        checking.add(t.name());
        lastCheck.put(t.name(), now);
        checker.check(t, policy).thenAccept(checked::add);
    }

    /**
     * The new state is kept in memory and written to the store at once when the circuit moves (a
     * transition is published, and must survive a crash with it), otherwise at the next tick: the
     * window's counts changed by every outcome are estimates over a window, and reading, decoding
     * and writing the whole window per outcome was a sixth of the stream thread's time.
     */
    private void apply(final TargetConfig target, final CircuitMachine.Step step) {
        live.put(target.name(), step.state());
        if (step.publish().isPresent()) {
            owned.put(target.name(), step.state());
            dirty.remove(target.name());
        } else {
            dirty.add(target.name());
        }
        step.publish().ifPresent(rec -> publish(target, rec));
    }

    private void publish(final TargetConfig target, final CircuitRecord rec) {
        LOG.info("circuit {} -> {} ({}, {}% of traffic): {}", target.name(), rec.state(), rec.health(), rec.trafficPercent(), rec.reason());
        context.forward(new Record<>(target.name(), Json.text(rec).getBytes(StandardCharsets.UTF_8), context.currentSystemTimeMs()));
        metrics.circuitTransition(target.name(), rec.state().name());
        metrics.gauge("rebound.traffic.percent", "Share of ordinary requests admitted, as decided by the owner task",
                Tags.of("target", target.name()), rec.trafficPercent());
        metrics.gauge("rebound.health.state", "0 HEALTHY, 1 RECOVERING, 2 DEGRADED, 3 FAILED, as decided by the owner task",
                Tags.of("target", target.name()), switch (rec.health()) {
                    case HEALTHY -> 0;
                    case RECOVERING -> 1;
                    case DEGRADED -> 2;
                    case FAILED -> 3;
                });
        metrics.gauge("rebound.circuit.state", "0 CLOSED, 1 HALF_OPEN, 2 OPEN, as decided by the owner task",
                Tags.of("target", target.name()), switch (rec.state()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                });
    }

    /** Writes the states changed since the last tick to the store. */
    private void flush() {
        for (final String name : dirty) {
            owned.put(name, live.get(name));
        }
        dirty.clear();
    }

    private OwnerState current(final TargetConfig target) {
        final OwnerState cached = live.get(target.name());
        if (cached != null) {
            return cached;
        }
        final OwnerState s = owned.get(target.name());
        final CircuitPolicy p = target.circuit();
        return s == null ? OwnerState.initial(p, Instant.ofEpochMilli(context.currentSystemTimeMs())) : s;
    }
}
