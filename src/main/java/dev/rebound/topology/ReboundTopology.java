package dev.rebound.topology;

import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.ControlRecord;
import dev.rebound.circuit.OwnerState;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.Redactor;
import dev.rebound.execute.TargetPool;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ratelimit.QuotaLedger;
import dev.rebound.ratelimit.QuotaRecord;
import dev.rebound.request.Json;
import dev.rebound.retry.TargetRetryState;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Builds Rebound's processor topology, one sub-topology:
 * <pre>
 *   agent-calls ─────────────┐                 ┌──▶ agent-results (or the request's replyTo)
 *                            ├─▶ call-executor ├──▶ agent-dead-letters
 *   agent-calls-retry-&lt;tier&gt; ─┘        │        └──▶ agent-calls-retry-&lt;tier&gt;
 *            [in-flight] [dedup] [timers] [retry-state]
 * </pre>
 * The delay-tier topics are sources of the same sub-topology as {@code agent-calls}, so partition
 * {@code p} of each belongs to the same task: a request written to a tier topic on the partition
 * it came from (see {@link SourcePartitioner}) comes back to the task that holds its in-flight entry.
 * The same method serves production, the demo and the tests, so what is tested is what runs.
 */
public final class ReboundTopology {

    private ReboundTopology() {
    }

    public static Topology build(final ReboundConfig config, final TargetPool pool, final ReboundMetrics metrics) {
        return build(config, pool, metrics, SplittableRandom::new);
    }

    /** @param random a fresh random source per task, for backoff jitter */
    public static Topology build(final ReboundConfig config, final TargetPool pool, final ReboundMetrics metrics,
                                 final Supplier<RandomGenerator> random) {
        return build(config, pool, metrics, random, topic -> true);
    }

    /**
     * @param replyTopicExists whether a reply topic the configuration allows exists (a request naming
     *                         a missing one is refused at the door); the tests' drivers have every one
     */
    public static Topology build(final ReboundConfig config, final TargetPool pool, final ReboundMetrics metrics,
                                 final Supplier<RandomGenerator> random, final Predicate<String> replyTopicExists) {
        final Topics topics = new Topics(config.topicPrefix());
        final Redactor redactor = new Redactor(config.secrets());

        final Topology topology = new Topology();
        topology.addSource(Nodes.CALLS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.calls());
        topology.addSource(Nodes.RETRY_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                config.retries().tiers().stream().map(topics::retryTier).toArray(String[]::new));
        topology.addProcessor(Nodes.EXECUTOR, () -> new CallProcessor(config, pool, redactor, random.get(), metrics, replyTopicExists),
                Nodes.CALLS_SOURCE, Nodes.RETRY_SOURCE);
        topology.addStateStore(keyValue(StoreNames.IN_FLIGHT, JsonSerde.of(InFlightEntry.class)), Nodes.EXECUTOR);
        topology.addStateStore(dedupStore(config.dedupWindow()), Nodes.EXECUTOR);
        topology.addStateStore(bytesKeyed(StoreNames.TIMERS), Nodes.EXECUTOR);
        topology.addStateStore(keyValue(StoreNames.RETRY_STATE, JsonSerde.of(TargetRetryState.class)), Nodes.EXECUTOR);
        topology.addStateStore(keyValue(StoreNames.CACHE, JsonSerde.of(ResponseCache.Cached.class)), Nodes.EXECUTOR);
        topology.addStateStore(bytesKeyed(StoreNames.CACHE_INDEX), Nodes.EXECUTOR);

        final Serializer<Object> bytes = (topic, value) -> (byte[]) value;
        // Rebound's own record: never rewritten (masking it once lost timers of ids that contained a header value)
        final Serializer<Object> waiting = (topic, value) -> Json.bytes(value);
        topology.addSink(Nodes.RESULTS_SINK, ResultRouting.topic(topics.results()), Serdes.String().serializer(), ResultRouting.bytes(),
                Nodes.EXECUTOR);
        topology.addSink(Nodes.DEAD_LETTERS_SINK, topics.deadLetters(), Serdes.String().serializer(), bytes, Nodes.EXECUTOR);
        for (final Duration tier : config.retries().tiers()) {
            topology.addSink(Nodes.retrySink(tier), topics.retryTier(tier), Serdes.String().serializer(), waiting,
                    new SourcePartitioner(metrics), Nodes.EXECUTOR);
        }

        // circuits: outcomes keyed by target go to the owning task, which publishes transitions;
        // every instance reads all transitions into a global store consulted before each call
        topology.addSink(Nodes.OUTCOMES_SINK, topics.outcomes(), Serdes.String().serializer(), bytes, Nodes.EXECUTOR);
        topology.addSource(Nodes.OUTCOMES_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.outcomes());
        topology.addProcessor(Nodes.CIRCUIT_OWNER, () -> new CircuitOwnerProcessor(config, metrics, pool.health()), Nodes.OUTCOMES_SOURCE);
        topology.addStateStore(keyValue(StoreNames.CIRCUIT_OWNER, JsonSerde.of(OwnerState.class)), Nodes.CIRCUIT_OWNER);
        topology.addSink(Nodes.CIRCUITS_SINK, topics.circuits(), Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                Nodes.CIRCUIT_OWNER);
        topology.addGlobalStore(global(StoreNames.CIRCUITS, CircuitRecord.class),
                Nodes.CIRCUITS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.circuits(),
                Nodes.CIRCUITS_READER, () -> new GlobalReader<>(StoreNames.CIRCUITS, CircuitRecord.class));
        // rate limits: demands ride the same outcomes topic to the same owner, which grants quota to
        // every calling task through agent-quota, read by every instance into a global store
        topology.addProcessor(Nodes.QUOTA_OWNER, () -> new QuotaOwnerProcessor(config, metrics), Nodes.OUTCOMES_SOURCE);
        topology.addStateStore(keyValue(StoreNames.QUOTA_OWNER, JsonSerde.of(QuotaLedger.class)), Nodes.QUOTA_OWNER);
        topology.addSink(Nodes.QUOTA_SINK, topics.quota(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), Nodes.QUOTA_OWNER);
        topology.addGlobalStore(global(StoreNames.QUOTA, QuotaRecord.class),
                Nodes.QUOTA_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.quota(),
                Nodes.QUOTA_READER, () -> new GlobalReader<>(StoreNames.QUOTA, QuotaRecord.class));
        topology.addGlobalStore(global(StoreNames.CONTROL, ControlRecord.class),
                Nodes.CONTROL_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.control(),
                Nodes.CONTROL_READER, () -> new GlobalReader<>(StoreNames.CONTROL, ControlRecord.class));
        return topology;
    }

    /**
     * A persistent key-value store with a changelog and the record cache: within a commit interval a
     * request's in-flight entry is written and deleted, and a target's retry state is updated once
     * per request; the cache folds those into at most one changelog record per key per commit.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> keyValue(final String name, final Serde<V> serde) {
        return Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(name), Serdes.String(), serde).withCachingEnabled();
    }

    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> bytesKeyed(final String name) {
        return Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled();
    }

    /**
     * A global store: in memory, since it holds a record per target (or per target and task) and every instance
     * reads it all from its compacted topic on start anyway, while a RocksDB read per call (the
     * circuit and the operator switch of every level of the target's lineage) cost a native call
     * each; its values are decoded once per change ({@link JsonSerde#memoized}).
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> global(final String name, final Class<V> type) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), JsonSerde.memoized(type))
                .withCachingDisabled().withLoggingDisabled();
    }

    /**
     * The dedup window, without the record cache: its keys are written once each (a request id, at
     * its outcome), so the cache has nothing to fold, while every lookup of a new id through it
     * copied the cache's keys in range and walked its segments (7 % of the stream thread in the
     * {@code passthrough} profile), and its values (whole terminal records) crowded the in-flight
     * entries out of the cache: evicted before their delete, those reached the changelog twice.
     * Public for the benchmark's contract floor, which pays what this store costs.
     */
    public static StoreBuilder<WindowStore<String, byte[]>> dedupStore(final Duration window) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DEDUP, window, window, false),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled();
    }
}
