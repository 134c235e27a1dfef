package dev.rebound.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.rebound.request.Json;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The timer store of the delay path: requests waiting for their next attempt, ordered by due time.
 * Nothing sleeps and no partition is paused: a wall-clock punctuator asks for what is due and
 * fires it. The value is the attempt number the timer was set for, so a stale timer (its request
 * has moved on) is recognised and dropped.
 */
final class RetryGate {

    private static final Logger LOG = LoggerFactory.getLogger(RetryGate.class);
    /** Reads an instant as data binding reads the entry's, whichever form it was written in (the entry's later fields follow it). */
    private static final ObjectReader INSTANT = Json.MAPPER.readerFor(Instant.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A timer that came due; {@code key} removes it once its request has been handled. */
    record Due(Bytes key, String id, int attempt, Instant due) {
    }

    private final KeyValueStore<Bytes, byte[]> timers;
    /**
     * No timer in the store is due before this (epoch ms), so {@link #due} scans from here rather
     * than from the lowest key: a scan from the lowest key walks over every timer fired and deleted
     * since RocksDB last compacted (a seek skips deleted keys one by one), which in a retry storm is
     * every timer that came due before. Lowered by every {@link #schedule}, raised by every scan to
     * the earliest timer it found still there; 0, the lowest key, after a start or a restore.
     */
    private long floorMs;

    RetryGate(final KeyValueStore<Bytes, byte[]> timers) {
        this.timers = timers;
    }

    /** Sets a timer; returns its key. Setting the same (due, id) twice leaves one timer. */
    Bytes schedule(final String id, final int attempt, final Instant due) {
        final Bytes key = TimerKey.of(due, id);
        timers.put(key, ByteBuffer.allocate(4).putInt(attempt).array());
        floorMs = Math.min(floorMs, TimerKey.dueMs(key));
        return key;
    }

    /**
     * A record of a delay-tier topic: sets its request's timer (again: the task that wrote it set
     * the timer already, so that a lost or unreadable tier record loses nothing and is skipped).
     */
    void enter(final String key, final byte[] value) {
        try {
            final Due timer = timerOf(value);
            schedule(timer.id(), timer.attempt(), timer.due());
        } catch (final RuntimeException e) {
            LOG.warn("skipping an unreadable delay-tier record (key '{}'): {}", key, e.toString());
        }
    }

    /**
     * The timer a delay-tier record (a waiting {@code InFlightEntry} as JSON) asks for: its
     * request's {@code id}, its {@code attempt} (0 if absent, as data binding reads it) and its
     * {@code dueAt}, read token by token; the rest (the request's payload, the attempts so far) is
     * skipped unparsed. Reading the whole entry with data binding for these three fields was 14 %
     * of the stream thread while the {@code delay} scenario's 100 000 retries were scheduled.
     * Throws for a record without a string id or a due time, which is skipped.
     */
    static Due timerOf(final byte[] value) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a delay-tier record is a JSON object");
            }
            String id = null;
            int attempt = 0;
            Instant due = null;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                final JsonToken v = p.nextToken();
                switch (field) {
                    case "request" -> id = requestId(p, v);
                    case "attempt" -> attempt = v == JsonToken.VALUE_NULL ? 0 : p.getIntValue();
                    case "dueAt" -> due = v == JsonToken.VALUE_NULL ? null : INSTANT.readValue(p);
                    default -> p.skipChildren();
                }
            }
            if (id == null || due == null) {
                throw new IllegalArgumentException("a delay-tier record needs the request's id and dueAt");
            }
            return new Due(TimerKey.of(due, id), id, attempt, due);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read a delay-tier record", e);
        }
    }

    /** The {@code id} of the request object the parser is on (its other fields skipped), or {@code null}. */
    private static String requestId(final JsonParser p, final JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String id = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            final JsonToken t = p.nextToken();
            if ("id".equals(field) && t == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return id;
    }

    /** The timer set for request {@code id}'s attempt {@code attempt} due at {@code due}, as {@link #due} would hand it out. */
    static Due timer(final String id, final int attempt, final Instant due) {
        return new Due(TimerKey.of(due, id), id, attempt, due);
    }

    void remove(final Bytes key) {
        timers.delete(key);
    }

    /**
     * At most {@code max} timers due at or before {@code now}, earliest first, left in the store:
     * each is removed ({@link #remove}) only once its request has been handled, so that nothing
     * that goes wrong while handling one can lose the others. Bounded so that a backlog (say, after
     * downtime) is worked off over several ticks instead of stalling one.
     */
    List<Due> due(final Instant now, final int max) {
        final List<Due> due = new ArrayList<>();
        if (now.toEpochMilli() < floorMs) {
            return due;
        }
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKey.from(floorMs), TimerKey.upTo(now))) {
            while (it.hasNext() && due.size() < max) {
                final KeyValue<Bytes, byte[]> kv = it.next();
                final int attempt = kv.value != null && kv.value.length == 4 ? ByteBuffer.wrap(kv.value).getInt() : -1;
                due.add(new Due(kv.key, TimerKey.id(kv.key), attempt, TimerKey.due(kv.key)));
            }
        }
        // nothing below the first timer found (or, if none, at or before now) is in the store: those
        // handed out stay there until removed, and a timer set meanwhile lowers the floor again
        floorMs = due.isEmpty() ? Math.max(floorMs, now.toEpochMilli() + 1) : TimerKey.dueMs(due.get(0).key());
        return due;
    }
}
