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
     * A call of {@code from} ended holding a permit: the next attempt to start with it and its line,
     * or {@code null} once the permit has gone back because no line waits.
     */
    CallDispatcher.Next handOver(final CallDispatcher.Line from) {
        CallDispatcher.Line line = from.handOvers.incrementAndGet() <= CallDispatcher.MAX_HAND_OVERS && from.hasWaiting() ? from : other(from);
        // a line may empty or close between the look and the take: look again, a bounded number of times
        for (int tries = 0; line != null && tries <= lines.size(); tries++) {
            final CallDispatcher.Next next = line.take();
            if (next != null) {
                return next;
            }
            line = other(line);
        }
        permits.release();
        return null;
    }

    /** The next line after the last one served that has attempts waiting, or {@code from} itself if it is the only one. */
    private CallDispatcher.Line other(final CallDispatcher.Line from) {
        final Object[] all = lines.toArray();
        final int start = Math.floorMod(turn.getAndIncrement(), Math.max(1, all.length));
        for (int i = 0; i < all.length; i++) {
            final CallDispatcher.Line l = (CallDispatcher.Line) all[(start + i) % all.length];
            if (l != from && l.hasWaiting()) {
                l.handOvers.set(0);
                return l;
            }
        }
        from.handOvers.set(0);
        return from.hasWaiting() ? from : null;
    }
}
