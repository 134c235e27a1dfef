package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One target's call slots in this process: permits shared by every task, at most its
 * {@link ConcurrencyLimit} at once ({@code maxInFlight}, or an {@link AdaptiveLimit} that moves
 * between 1 and {@code maxInFlight}), and the waiting lines of every task's {@link CallDispatcher}
 * for that target.
 *
 * <p>A finished call's permit is handed over here, on the HTTP callback's thread: to the next
 * attempt of its own line, at most {@link CallDispatcher#MAX_HAND_OVERS} times in a row, then to
 * the next line that has attempts waiting, in turn, so that every task gets slots; only when no
 * line waits does the permit go back. A saturated target's slots therefore stay busy however many
 * tasks wait for it and whatever the stream thread is doing.
 *
 * <p>A lowered limit takes effect without blocking anyone: a permit whose call ends while more
 * calls are in flight than the limit allows is retired instead of handed over, and
 * {@link #tryAcquire} issues none while in flight is at the limit. A raised limit is taken up by the
 * next {@link CallDispatcher#submit} or drain punctuation ({@link CallDispatcher#startWaiting}). A
 * permit the limit makes rest ({@link ConcurrencyLimit#onCall}) stays counted in flight while it
 * rests, so nobody else takes its place, and is handed over by a delayed task on the common pool.
 *
 * <p>Invariant (checked by {@code TargetSlotsStressTest}): every permit taken by {@link #tryAcquire}
 * is given back exactly once, by {@link #release}, by a retirement or by the hand-over's own
 * release, so {@link #inFlight} returns to 0 when all calls have ended.
 */
public final class TargetSlots {

    private final int capacity;
    private final ConcurrencyLimit limit;
    /** Permits out: calls running, or a permit resting before its next call. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<CallDispatcher.Line> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger turn = new AtomicInteger();

    /** {@code capacity} permits, always. */
    public TargetSlots(final int capacity) {
        this(capacity, new ConcurrencyLimit.Fixed(capacity));
    }

    /** At most {@code limit.current()} permits out, and never more than {@code capacity}. */
    public TargetSlots(final int capacity, final ConcurrencyLimit limit) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.limit = limit;
    }

    /** Calls started per second over the last minute, in a ring by epoch second; guarded by itself. */
    private final long[][] startsPerSecond = new long[60][2];

    /** A call to this target starts: counted for {@link #startedLastMinute}. */
    void started() {
        final long second = System.currentTimeMillis() / 1000;
        synchronized (startsPerSecond) {
            final long[] slot = startsPerSecond[(int) Math.floorMod(second, 60L)];
            if (slot[0] != second) {
                slot[0] = second;
                slot[1] = 0;
            }
            slot[1]++;
        }
    }

    /** Calls started against this target from this process over the last 60 s: a pool's shares in {@code /circuits}. */
    public long startedLastMinute() {
        final long now = System.currentTimeMillis() / 1000;
        long n = 0;
        synchronized (startsPerSecond) {
            for (final long[] slot : startsPerSecond) {
                if (now - slot[0] < 60) {
                    n += slot[1];
                }
            }
        }
        return n;
    }

    /** Calls running right now against this target from this process (a resting permit counts). */
    public int inFlight() {
        return inFlight.get();
    }

    /** How many calls may be in flight now: {@code maxInFlight}, or the adaptive limit's current value. */
    public int limit() {
        return Math.min(capacity, limit.current(inFlight.get()));
    }

    int available() {
        return Math.max(0, limit() - inFlight.get());
    }

    boolean tryAcquire() {
        final int max = limit();
        for (;;) {
            final int n = inFlight.get();
            if (n >= max) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        inFlight.decrementAndGet();
    }

    /** Gives a permit back if more are out than the limit allows now; whether it did. */
    private boolean retireOverLimit() {
        for (;;) {
            final int n = inFlight.get();
            if (n <= limit()) {
                return false;
            }
            if (inFlight.compareAndSet(n, n - 1)) {
                return true;
            }
        }
    }

    void register(final CallDispatcher.Line line) {
        lines.add(line);
    }

    void unregister(final CallDispatcher.Line line) {
        lines.remove(line);
    }

    /**
     * The call of {@code done}, started with {@code inflight} calls in flight, ended with
     * {@code outcome} after {@code rttNanos}, holding a permit: the limit learns from it, then the
     * permit is retired if more are out than the limit now allows, or rests if the limit says so
     * (then a delayed task passes it on), or is {@link #passOn passed on} at once. Returns the next
     * attempt to start with it now, or {@code null}.
     */
    CallDispatcher.Next handOver(final CallDispatcher.Next done, final CallOutcome outcome, final long rttNanos, final int inflight) {
        final Duration rest = limit.onCall(outcome, rttNanos, inflight);
        if (retireOverLimit()) {
            return null; // the others out will hand over; a raised limit is taken up by the stream thread
        }
        if (!rest.isZero()) {
            // no thread waits out the rest; the delayed task always runs, so the permit cannot leak
            CompletableFuture.runAsync(() -> CallDispatcher.start(passOn(done)),
                    CompletableFuture.delayedExecutor(rest.toNanos(), TimeUnit.NANOSECONDS));
            return null;
        }
        return passOn(done);
    }

    /**
     * A permit that {@code done}'s call held: the next attempt to start with it, or {@code null}
     * once the permit has gone back because no line waits. The permit stays with its line for
     * {@link CallDispatcher#MAX_HAND_OVERS} attempts in a row, then goes to the next line that
     * waits, in turn; back to its own line only when no other waits.
     */
    private CallDispatcher.Next passOn(final CallDispatcher.Next done) {
        final CallDispatcher.Line from = done.line();
        if (done.inARow() < CallDispatcher.MAX_HAND_OVERS) {
            final CallDispatcher.Next own = from.take();
            if (own != null) {
                return own.after(done);
            }
        }
        final Object[] all = lines.toArray();
        final int start = Math.floorMod(turn.getAndIncrement(), Math.max(1, all.length));
        for (int i = 0; i < all.length; i++) {
            final CallDispatcher.Line l = (CallDispatcher.Line) all[(start + i) % all.length];
            final CallDispatcher.Next next = l == from ? null : l.take();
            if (next != null) {
                return next;
            }
        }
        final CallDispatcher.Next own = from.take();
        if (own != null) {
            return own; // nobody else waits: the line goes on, counting afresh
        }
        release();
        // an attempt may have joined a line after the looks above, its own tryAcquire failing just
        // before this release: look once more, or it would wait for the next punctuation
        for (final Object o : lines.toArray()) {
            final CallDispatcher.Line l = (CallDispatcher.Line) o;
            if (l.hasWaiting() && tryAcquire()) {
                final CallDispatcher.Next late = l.take();
                if (late != null) {
                    return late;
                }
                release();
            }
        }
        return null;
    }
}
