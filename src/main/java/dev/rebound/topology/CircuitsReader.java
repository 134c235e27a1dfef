package dev.rebound.topology;

import dev.rebound.circuit.CircuitRecord;
import dev.rebound.request.Json;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;

/**
 * Keeps the global circuits store: every instance reads all of {@code agent-circuits} into it, so
 * every task knows every circuit. A record that does not parse is logged and skipped: it cannot
 * be Rebound's own, and a bad record must not stop the global thread.
 */
final class CircuitsReader implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitsReader.class);
    private KeyValueStore<String, CircuitRecord> circuits;

    @Override
    public void init(final ProcessorContext<Void, Void> context) {
        circuits = context.getStateStore(Stores.CIRCUITS);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            circuits.delete(record.key());
            return;
        }
        try {
            circuits.put(record.key(), Json.read(record.value(), CircuitRecord.class));
        } catch (final UncheckedIOException e) {
            LOG.warn("skipping an unreadable record for '{}' on the circuits topic: {}", record.key(), e.getMessage());
        }
    }
}
