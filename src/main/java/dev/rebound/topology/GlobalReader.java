package dev.rebound.topology;

import dev.rebound.request.Json;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Keeps a global store from a compacted topic of JSON records keyed by target ({@code agent-circuits},
 * {@code agent-control}): every instance reads all of it, so every task knows every target's state.
 * A tombstone deletes; a record that does not parse is logged and skipped, because a bad record
 * must not stop the global thread.
 */
final class GlobalReader<V> implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalReader.class);
    private final String storeName;
    private final Class<V> type;
    private KeyValueStore<String, V> store;

    GlobalReader(final String storeName, final Class<V> type) {
        this.storeName = storeName;
        this.type = type;
    }

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        try {
            final V value = Json.read(record.value(), type);
            if (value == null) {
                throw new IllegalArgumentException("the JSON value null");
            }
            store.put(record.key(), value);
        } catch (final RuntimeException e) {
            // garbage or a foreign record on a compacted topic: the state before it stays
            LOG.warn("skipping an unreadable {} record for '{}' (the previous state is kept): {}", type.getSimpleName(), record.key(),
                    e.toString());
        }
    }
}
