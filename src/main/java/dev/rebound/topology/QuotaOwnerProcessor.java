package dev.rebound.topology;

import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ratelimit.Demand;
import dev.rebound.ratelimit.QuotaLedger;
import dev.rebound.ratelimit.QuotaRecord;
import dev.rebound.request.Json;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The owner of rate limits: every task's {@link Demand} for a target is keyed by the target's name,
 * so all of them reach the one task that owns it, which keeps the target's {@link QuotaLedger} in a
 * changelogged store and, every {@link #ROUND}, publishes each calling task's grants to the
 * compacted {@code agent-quota} topic (one record per task, with totals) and a summary per target.
 * One limit per target for the whole application, however many instances and partitions.
 */
final class QuotaOwnerProcessor implements Processor<String, byte[], String, byte[]> {

    /** How often grants are made: the pacing grain of a limit. */
    static final Duration ROUND = Duration.ofMillis(100);
    /** How often a target's summary is published when nothing else changed, for status. */
    static final Duration SUMMARY_EVERY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(QuotaOwnerProcessor.class);

    private final ReboundConfig config;
    private final ReboundMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, QuotaLedger> store;
    private final Map<String, QuotaLedger> live = new HashMap<>();
    private final Map<String, Instant> summarized = new HashMap<>();
    private final Map<String, Long> epochs = new HashMap<>();

    QuotaOwnerProcessor(final ReboundConfig config, final ReboundMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(StoreNames.QUOTA_OWNER);
        context.schedule(ROUND, PunctuationType.WALL_CLOCK_TIME, this::round);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.headers().lastHeader(Topics.DEMAND_HEADER) == null || record.value() == null) {
            return; // circuit outcomes: the circuit owner's
        }
        final TargetConfig target = config.target(record.key()).filter(t -> t.rateLimit().clusterWide()).orElse(null);
        if (target == null) {
            return; // no longer limited (or no longer configured): nothing to grant
        }
        final Demand demand;
        try {
            demand = Json.read(record.value(), Demand.class);
        } catch (final RuntimeException e) {
            LOG.warn("skipping an unreadable rate-limit demand for '{}': {}", target.name(), e.toString());
            return;
        }
        ledger(target.name()).heard(demand, now());
    }

    /** Grants for every owned limited target, written to the store and published in the same transaction. */
    private void round(final long timestamp) {
        final Instant now = Instant.ofEpochMilli(timestamp);
        for (final Map.Entry<String, QuotaLedger> e : live.entrySet()) {
            final TargetConfig t = config.target(e.getKey()).orElse(null);
            if (t == null || !t.rateLimit().clusterWide()) {
                continue;
            }
            final QuotaLedger ledger = e.getValue();
            final QuotaLedger.Round round = ledger.round(t.rateLimit(), now);
            for (final QuotaLedger.Grant g : round.grants()) {
                publish(QuotaRecord.grantKey(t.name(), g.task()), new QuotaRecord(t.name(), g.task(), round.seq(), round.epoch(),
                        g.requests(), g.tokens(), g.allowance(), null, null));
            }
            final Instant last = summarized.get(t.name());
            final boolean epochMoved = !Long.valueOf(round.epoch()).equals(epochs.get(t.name()));
            if (epochMoved || !round.grants().isEmpty() && (last == null || !now.isBefore(last.plus(SUMMARY_EVERY)))
                    || last == null || !now.isBefore(last.plus(SUMMARY_EVERY.multipliedBy(10)))) {
                final QuotaLedger.View view = ledger.view(t.rateLimit(), now);
                publish(t.name(), new QuotaRecord(t.name(), null, round.seq(), round.epoch(), 0, 0, 0, round.pausedUntil(), view));
                summarized.put(t.name(), now);
                epochs.put(t.name(), round.epoch());
                if (epochMoved && round.pausedUntil() != null) {
                    LOG.info("rate limit of {}: the provider asked for a pause until {}; every task holds back", t.name(), round.pausedUntil());
                }
                gauges(t, view);
            }
            store.put(t.name(), ledger);
        }
    }

    private void gauges(final TargetConfig t, final QuotaLedger.View view) {
        if (view.requestsLeftInWindow() >= 0) {
            metrics.gauge("rebound.ratelimit.remaining", "Quota left in the current window, as the owner task counts it",
                    Tags.of("target", t.name(), "kind", "requests"), view.requestsLeftInWindow());
        }
        if (view.tokensLeftInWindow() >= 0) {
            metrics.gauge("rebound.ratelimit.remaining", "Quota left in the current window, as the owner task counts it",
                    Tags.of("target", t.name(), "kind", "tokens"), view.tokensLeftInWindow());
        }
        if (view.providerRemainingRequests() != null) {
            metrics.gauge("rebound.ratelimit.remaining", "Quota left in the current window, as the owner task counts it",
                    Tags.of("target", t.name(), "kind", "provider-requests"), view.providerRemainingRequests());
        }
    }

    private void publish(final String key, final QuotaRecord record) {
        context.forward(new Record<>(key, Json.bytes(record), context.currentSystemTimeMs()));
    }

    private QuotaLedger ledger(final String target) {
        return live.computeIfAbsent(target, t -> {
            final QuotaLedger stored = store.get(t);
            return stored != null ? stored : new QuotaLedger();
        });
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
