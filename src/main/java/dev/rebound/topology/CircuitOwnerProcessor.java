package dev.rebound.topology;

import dev.rebound.circuit.CircuitMachine;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.Outcome;
import dev.rebound.circuit.OwnerState;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.ops.ReboundMetrics;
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
import java.util.List;

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
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, OwnerState> owned;

    CircuitOwnerProcessor(final ReboundConfig config, final ReboundMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.owned = context.getStateStore(Stores.CIRCUIT_OWNER);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final TargetConfig target = config.target(record.key()).orElse(null);
        if (target == null || record.value() == null) {
            return; // a target removed from the configuration: its circuit no longer matters
        }
        final Outcome outcome = Json.read(record.value(), Outcome.class);
        final OwnerState state = current(target);
        apply(target, CircuitMachine.onOutcome(state, outcome, target.circuit(), target.name()));
    }

    private void tick(final long timestamp) {
        final Instant now = Instant.ofEpochMilli(timestamp);
        final List<KeyValue<String, OwnerState>> all = new ArrayList<>();
        try (KeyValueIterator<String, OwnerState> it = owned.all()) {
            it.forEachRemaining(all::add);
        }
        for (final KeyValue<String, OwnerState> kv : all) {
            config.target(kv.key).ifPresent(t -> apply(t, CircuitMachine.onTick(kv.value, t.circuit(), t.name(), now)));
        }
    }

    private void apply(final TargetConfig target, final CircuitMachine.Step step) {
        owned.put(target.name(), step.state());
        step.publish().ifPresent(rec -> publish(target, rec));
    }

    private void publish(final TargetConfig target, final CircuitRecord rec) {
        LOG.info("circuit {} -> {}: {}", target.name(), rec.state(), rec.reason());
        context.forward(new Record<>(target.name(), Json.text(rec).getBytes(StandardCharsets.UTF_8), context.currentSystemTimeMs()));
        metrics.circuitTransition(target.name(), rec.state().name());
        metrics.gauge("rebound.circuit.state", "0 CLOSED, 1 HALF_OPEN, 2 OPEN, as decided by the owner task",
                Tags.of("target", target.name()), switch (rec.state()) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                });
    }

    private OwnerState current(final TargetConfig target) {
        final OwnerState s = owned.get(target.name());
        final CircuitPolicy p = target.circuit();
        return s == null ? OwnerState.initial(p, Instant.ofEpochMilli(context.currentSystemTimeMs())) : s;
    }
}
