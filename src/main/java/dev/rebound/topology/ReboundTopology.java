package dev.rebound.topology;

import dev.rebound.config.Redactor;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.TargetPool;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds Rebound's processor topology:
 * <pre>
 *   agent-calls ──▶ call-executor ──▶ agent-results
 *                        │      └───▶ agent-dead-letters
 *              [in-flight] [dedup]
 * </pre>
 * The same method serves production, the demo and the tests, so what is tested is what runs.
 */
public final class ReboundTopology {

    private ReboundTopology() {
    }

    public static Topology build(final ReboundConfig config, final TargetPool pool) {
        final Topics topics = new Topics(config.topicPrefix());
        final Redactor redactor = new Redactor(config.secrets());

        final StoreBuilder<KeyValueStore<String, InFlightEntry>> inFlight = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.IN_FLIGHT),
                Serdes.String(), JsonSerde.of(InFlightEntry.class));
        final StoreBuilder<WindowStore<String, byte[]>> dedup = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.DEDUP, config.dedupWindow(), config.dedupWindow(), false),
                Serdes.String(), Serdes.ByteArray());

        final Topology topology = new Topology();
        topology.addSource(Nodes.CALLS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.calls());
        topology.addProcessor(Nodes.EXECUTOR, () -> new CallProcessor(config, pool, redactor), Nodes.CALLS_SOURCE);
        topology.addStateStore(inFlight, Nodes.EXECUTOR);
        topology.addStateStore(dedup, Nodes.EXECUTOR);
        topology.addSink(Nodes.RESULTS_SINK, topics.results(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), Nodes.EXECUTOR);
        topology.addSink(Nodes.DEAD_LETTERS_SINK, topics.deadLetters(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), Nodes.EXECUTOR);
        return topology;
    }
}
