package dev.rebound.topology;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Keys of the timer store: the due time as 8 big-endian bytes, then the request id. Byte order is
 * time order, so "everything due by now" is one range scan (from the earliest timer still set,
 * {@link #from}), which also picks up timers that came due while the application was down.
 */
final class TimerKey {

    private TimerKey() {
    }

    static Bytes of(final Instant due, final String id) {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + idBytes.length).putLong(Math.max(0, due.toEpochMilli())).put(idBytes).array());
    }

    /** The smallest key due at or after {@code dueMs} (epoch millis, 0 for the lowest key). */
    static Bytes from(final long dueMs) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(Math.max(0, dueMs)).array());
    }

    /** An upper bound above every key due at or before {@code now} and below every key due later. */
    static Bytes upTo(final Instant now) {
        return from(now.toEpochMilli() + 1);
    }

    static Instant due(final Bytes key) {
        return Instant.ofEpochMilli(dueMs(key));
    }

    /** The due time a key sorts by, in epoch millis. */
    static long dueMs(final Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong();
    }

    static String id(final Bytes key) {
        final byte[] k = key.get();
        return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
    }
}
