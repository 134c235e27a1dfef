package dev.rebound.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

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

    /** A timer that came due. */
    record Due(String id, int attempt, Instant due) {
    }

    private final KeyValueStore<Bytes, byte[]> timers;

    RetryGate(final KeyValueStore<Bytes, byte[]> timers) {
        this.timers = timers;
    }

    void schedule(final String id, final int attempt, final Instant due) {
        timers.put(TimerKey.of(due, id), ByteBuffer.allocate(4).putInt(attempt).array());
    }

    /**
     * Removes and returns at most {@code max} timers due at or before {@code now}, earliest first.
     * Bounded so that a backlog (say, after downtime) is worked off over several ticks instead of
     * stalling one.
     */
    List<Due> takeDue(final Instant now, final int max) {
        final List<Due> due = new ArrayList<>();
        final List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = timers.range(TimerKey.lowest(), TimerKey.upTo(now))) {
            while (it.hasNext() && due.size() < max) {
                final KeyValue<Bytes, byte[]> kv = it.next();
                keys.add(kv.key);
                due.add(new Due(TimerKey.id(kv.key), ByteBuffer.wrap(kv.value).getInt(), TimerKey.due(kv.key)));
            }
        }
        keys.forEach(timers::delete);
        return due;
    }
}
