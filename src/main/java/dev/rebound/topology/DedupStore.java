package dev.rebound.topology;

import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * Remembers each request's terminal record for the dedup window. Backed by a window store keyed
 * by request id and stamped with the time of the outcome: the store's segments expire old ids
 * without any scan, which a key-value store with a TTL sweep could not do at 24 h of traffic.
 *
 * <p>Value layout: one byte naming the sink ({@code R} results, {@code D} dead letters), then the
 * terminal record's bytes exactly as they were written.
 */
public final class DedupStore {

    /** A remembered outcome: which sink it went to and its bytes. */
    record Stored(String sink, byte[] value) {
    }

    /**
     * A terminal record as an interactive query reads it back ({@code rebound request}).
     *
     * @param result true for a result, false for a dead letter
     * @param value  the record's JSON bytes, exactly as written to its topic
     */
    public record Remembered(boolean result, byte[] value) {
    }

    /** How far past now a lookup reaches: a record stamped by an instance whose clock runs ahead. */
    public static final Duration AHEAD = Duration.ofSeconds(1);

    private static final byte RESULT = 'R';
    private static final byte DEAD_LETTER = 'D';

    private final WindowStore<String, byte[]> store;
    private final Duration window;

    DedupStore(final WindowStore<String, byte[]> store, final Duration window) {
        this.store = store;
        this.window = window;
    }

    /**
     * The latest terminal record of {@code id} within the window, or {@code null}. The bounds are
     * epoch millis, because the {@code Instant} overloads format a message prefix on every call (4 %
     * of the stream thread in the {@code passthrough} profile).
     */
    Stored find(final String id, final Instant now) {
        final Remembered r = newest(newestFirst(store, id, window, now.toEpochMilli()));
        return r == null ? null : new Stored(r.result() ? Nodes.RESULTS_SINK : Nodes.DEAD_LETTERS_SINK, r.value());
    }

    /**
     * The entries of {@code id} in a dedup window store of {@code window}, newest first: from
     * {@code nowMs} less the window to {@code nowMs} plus {@link #AHEAD}. Public for the
     * benchmark's contract floor, which looks up its dedup window as Rebound does.
     */
    public static WindowStoreIterator<byte[]> newestFirst(final WindowStore<String, byte[]> store, final String id, final Duration window,
                                                          final long nowMs) {
        return store.backwardFetch(id, nowMs - window.toMillis(), nowMs + AHEAD.toMillis());
    }

    /**
     * The first value of {@code backward}, a fetch of one id newest first (from {@code now} less the
     * dedup window to {@code now} plus {@link #AHEAD}), decoded; closes it. A hit reads one entry.
     */
    public static Remembered newest(final WindowStoreIterator<byte[]> backward) {
        try (backward) {
            return decode(backward.hasNext() ? backward.next().value : null);
        }
    }

    /** One stored value read back, or {@code null} for none (or an empty one). */
    private static Remembered decode(final byte[] stored) {
        if (stored == null || stored.length == 0) {
            return null;
        }
        return new Remembered(stored[0] == RESULT, Arrays.copyOfRange(stored, 1, stored.length));
    }

    void put(final String id, final String sink, final byte[] value, final Instant now) {
        final byte[] stored = new byte[value.length + 1];
        stored[0] = Nodes.RESULTS_SINK.equals(sink) ? RESULT : DEAD_LETTER;
        System.arraycopy(value, 0, stored, 1, value.length);
        store.put(id, stored, now.toEpochMilli());
    }
}
