package dev.rebound.topology;

import dev.rebound.circuit.Outcome;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.ratelimit.Demand;
import dev.rebound.request.Json;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a task tells the targets' owners through {@code agent-circuit-outcomes}: the outcomes of
 * its calls, one record per target and tick, which targets have a recovery policy, and what it
 * waits with for rate-limited targets.
 */
final class OwnerMail {

    /** The value of the marking headers ({@code rebound-demand}, the recovery registration). */
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.UTF_8);

    private final ProcessorContext<String, Object> context;
    private final ReboundConfig config;

    OwnerMail(final ProcessorContext<String, Object> context, final ReboundConfig config) {
        this.context = context;
        this.config = config;
    }

    /** Sends each target's outcomes, in the order the calls ended, as one record. */
    void outcomes(final Map<String, List<Outcome>> byTarget) {
        final long now = context.currentSystemTimeMs();
        byTarget.forEach((target, list) -> context.forward(new Record<String, Object>(target, OutcomeBatch.encode(list), now), Nodes.OUTCOMES_SINK));
    }

    /** Tells a rate-limited target's owner what this task waits with (a header tells it from outcomes). */
    void demand(final String target, final Demand demand) {
        context.forward(new Record<String, Object>(target, Json.bytes(demand), context.currentSystemTimeMs(),
                new RecordHeaders().add(Topics.DEMAND_HEADER, TRUE)), Nodes.OUTCOMES_SINK);
    }

    /** Tells the owners of the targets with a recovery policy that they exist, so checks run before any traffic. */
    void announceRecoveryTargets(final Instant now) {
        for (final TargetConfig t : config.targets().values()) {
            if (t.recovery().isPresent()) {
                context.forward(new Record<String, Object>(t.name(), new byte[0], now.toEpochMilli(),
                        new RecordHeaders().add(Topics.REGISTER_HEADER, TRUE)), Nodes.OUTCOMES_SINK);
            }
        }
    }
}
