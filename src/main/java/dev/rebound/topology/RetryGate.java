package dev.rebound.topology;

import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.Json;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** A timer that came due; {@code key} removes it once its request has been handled. */
    record Due(Bytes key, String id, int attempt, Instant due) {
    }

    private final KeyValueStore<Bytes, byte[]> timers;

    RetryGate(final KeyValueStore<Bytes, byte[]> timers) {
        this.timers = timers;
    }

    /** Sets a timer; returns its key. Setting the same (due, id) twice leaves one timer. */
    Bytes schedule(final String id, final int attempt, final Instant due) {
        final Bytes key = TimerKey.of(due, id);
        timers.put(key, ByteBuffer.allocate(4).putInt(attempt).array());
        return key;
    }

    /**
     * A record of a delay-tier topic: sets its request's timer (again: the task that wrote it set
     * the timer already, so that a lost or unreadable tier record loses nothing and is skipped).
     */
    void enter(final String key, final byte[] value) {
        try {
            final InFlightEntry waiting = Json.read(value, InFlightEntry.class);
            schedule(waiting.agentRequest().id(), waiting.attempt(), waiting.dueAt());
        } catch (final RuntimeException e) {
            LOG.warn("skipping an unreadable delay-tier record (key '{}'): {}", key, e.toString());
        }
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
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKey.lowest(), TimerKey.upTo(now))) {
            while (it.hasNext() && due.size() < max) {
                final KeyValue<Bytes, byte[]> kv = it.next();
                final int attempt = kv.value != null && kv.value.length == 4 ? ByteBuffer.wrap(kv.value).getInt() : -1;
                due.add(new Due(kv.key, TimerKey.id(kv.key), attempt, TimerKey.due(kv.key)));
            }
        }
        return due;
    }
}
