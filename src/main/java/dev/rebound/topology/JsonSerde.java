package dev.rebound.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rebound.request.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JSON serde for Rebound's own state (store values); requests from agents are parsed elsewhere.
 * Instants are written as epoch milliseconds, not ISO text: parsing ISO instants was the largest
 * single cost of reading an in-flight entry back. Either form reads, so stores written before
 * still restore.
 */
final class JsonSerde {

    private static final ObjectMapper STORE = Json.MAPPER.copy()
            .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DATE_TIMESTAMPS_AS_NANOSECONDS)
            .disable(DeserializationFeature.READ_DATE_TIMESTAMPS_AS_NANOSECONDS);

    /** The most values, and the most bytes of them, a {@link #memoized} serde remembers before it forgets them all. */
    static final int MEMO = 4_096;
    static final long MEMO_BYTES = 4L << 20;

    private JsonSerde() {
    }

    /**
     * The same, for a global store's values, which every task reads on every call (a circuit or
     * an operator switch per level of the target's lineage, a rate-limit grant) and the global
     * thread writes only when an owner publishes: reading remembers the value decoded from the
     * same bytes, so a read decodes once per change instead of once per call. The values are
     * immutable records, shared by the threads that read them.
     */
    static <T> Serde<T> memoized(final Class<T> type) {
        final Serde<T> plain = of(type);
        final Map<Bytes, T> decoded = new ConcurrentHashMap<>();
        final AtomicLong held = new AtomicLong();
        final Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            final T known = decoded.get(Bytes.wrap(bytes));
            if (known != null) {
                return known;
            }
            final T read = plain.deserializer().deserialize(topic, bytes);
            if (decoded.size() >= MEMO || held.addAndGet(bytes.length) > MEMO_BYTES) {
                decoded.clear(); // grants change with every grant: old ones are not read again
                held.set(bytes.length);
            }
            decoded.put(Bytes.wrap(bytes.clone()), read);
            return read;
        };
        return Serdes.serdeFrom(plain.serializer(), de);
    }

    static <T> Serde<T> of(final Class<T> type) {
        // bound to the type once: a write or read then skips the lookup of its root serializer
        final ObjectWriter writer = STORE.writerFor(type);
        final ObjectReader reader = STORE.readerFor(type);
        final Serializer<T> ser = (topic, value) -> {
            try {
                return value == null ? null : writer.writeValueAsBytes(value);
            } catch (final IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + " to store", e);
            }
        };
        final Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.readValue(bytes);
            } catch (final IOException e) {
                throw new SerializationException("cannot read " + type.getSimpleName() + " from store", e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
