package dev.rebound.execute;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One target's call slots in this process: {@code maxInFlight} permits shared by every task, and
 * the waiting lines of every task's {@link CallDispatcher} for that target.
 *
 * <p>A finished call's permit is handed over here, on the HTTP callback's thread: to the next
 * attempt of its own line, at most {@link CallDispatcher#MAX_HAND_OVERS} times in a row, then to
 * the next line that has attempts waiting, in turn, so that every task gets slots; only when no
 * line waits does the permit go back to the semaphore. A saturated target's slots therefore stay
 * busy however many tasks wait for it and whatever the stream thread is doing.
 */
public final class TargetSlots {

    private final int capacity;
    private final Semaphore permits;
    private final List<CallDispatcher.Line> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger turn = new AtomicInteger();

    public TargetSlots(final int capacity) {
        this.capacity = capacity;
        this.permits = new Semaphore(capacity);
    }

    /** Calls running right now against this target from this process. */
    public int inFlight() {
        return capacity - permits.availablePermits();
    }

    int available() {
        return permits.availablePermits();
    }

    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    void release() {
        permits.release();
    }

    void register(final CallDispatcher.Line line) {
        lines.add(line);
    }

    void unregister(final CallDispatcher.Line line) {
        lines.remove(line);
    }

    /**
     * The call of {@code done} ended holding a permit: the next attempt to start with it, or
     * {@code null} once the permit has gone back because no line waits. The permit stays with its
     * line for {@link CallDispatcher#MAX_HAND_OVERS} attempts in a row, then goes to the next line
     * that waits, in turn; back to its own line only when no other waits.
     */
    CallDispatcher.Next handOver(final CallDispatcher.Next done) {
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
        permits.release();
        // an attempt may have joined a line after the looks above, its own tryAcquire failing just
        // before this release: look once more, or it would wait for the next punctuation
        for (final Object o : lines.toArray()) {
            final CallDispatcher.Line l = (CallDispatcher.Line) o;
            if (l.hasWaiting() && permits.tryAcquire()) {
                final CallDispatcher.Next late = l.take();
                if (late != null) {
                    return late;
                }
                permits.release();
            }
        }
        return null;
    }
}
