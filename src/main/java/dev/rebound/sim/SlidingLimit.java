package dev.rebound.sim;

import java.time.Duration;

/**
 * "At most {@code limit} in any trailing {@code window}", enforced exactly as a strict provider
 * does: the window slides with every call instead of resetting on a fixed minute boundary, so
 * no two bursts either side of a boundary can add up to twice the limit. It keeps the time and
 * weight of every accepted call still inside the window (a call weighs 1 for a request limit,
 * its tokens for a token limit) and their sum.
 *
 * <p>An entry accepted at {@code t} is inside the window while {@code now - t < window}, so it
 * leaves exactly at {@code t + window}. Times are {@link System#nanoTime()}-style: compared by
 * subtraction, never by value, so they may wrap. Each call adds at most one entry and each entry
 * leaves once, which makes every method O(1) amortized.
 *
 * <p>Pure and not thread-safe: the caller reads its clock and calls in one critical section
 * ({@link ProviderLimiter}), so times arrive in order; a time earlier than the last one added is
 * refused instead of silently corrupting the order that eviction relies on.
 */
final class SlidingLimit {

    private final long limit;
    private final long windowNanos;
    /** A ring of the accepted entries still in the window, oldest at {@code head}. */
    private long[] times = new long[16];
    private long[] weights = new long[16];
    private int head;
    private int size;
    private long used;
    private long lastAdded;

    /**
     * @param limit  the most that may be accepted in any trailing window, at least 1
     * @param window the window's length, positive
     */
    SlidingLimit(final long limit, final Duration window) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        this.limit = limit;
        this.windowNanos = window.toNanos();
    }

    long limit() {
        return limit;
    }

    /** What the entries inside the window at {@code now} add up to. */
    long used(final long now) {
        evict(now);
        return used;
    }

    /** What may still be accepted at {@code now}, never negative. */
    long remaining(final long now) {
        return Math.max(0, limit - used(now));
    }

    /** Whether a call of {@code weight} may be accepted at {@code now}. */
    boolean fits(final long now, final long weight) {
        return used(now) + weight <= limit;
    }

    /**
     * Records a call of {@code weight} accepted at {@code now}.
     *
     * @throws IllegalStateException    when it does not {@link #fits fit}: accepting it would break the limit
     * @throws IllegalArgumentException when {@code now} is before the last call added, or the weight is below 1
     */
    void add(final long now, final long weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1, was " + weight);
        }
        if (size > 0 && now - lastAdded < 0) {
            throw new IllegalArgumentException("calls must be added in time order: " + now + " is before " + lastAdded);
        }
        if (!fits(now, weight)) {
            throw new IllegalStateException("a call of " + weight + " does not fit: " + used + " of " + limit + " used");
        }
        if (size == times.length) {
            grow();
        }
        final int tail = (head + size) % times.length;
        times[tail] = now;
        weights[tail] = weight;
        size++;
        used += weight;
        lastAdded = now;
    }

    /**
     * Nanoseconds from {@code now} until a call of {@code weight} may fit: 0 when it fits now,
     * else the time until the oldest entry leaves the window. Exact for calls that weigh 1 (a
     * request limit); for heavier calls it is the earliest moment the window can have changed,
     * which may still be too soon, as a provider's "try again in" may be. A call heavier than the
     * whole limit never fits; it is told the whole window.
     */
    long nanosUntilFits(final long now, final long weight) {
        if (weight > limit) {
            return windowNanos;
        }
        if (fits(now, weight)) {
            return 0;
        }
        return times[head] + windowNanos - now;
    }

    /** Drops the entries that left the window at {@code now}: each accepted entry is dropped once. */
    private void evict(final long now) {
        while (size > 0 && now - times[head] >= windowNanos) {
            used -= weights[head];
            head = (head + 1) % times.length;
            size--;
        }
    }

    private void grow() {
        final long[] t = new long[times.length * 2];
        final long[] w = new long[times.length * 2];
        for (int i = 0; i < size; i++) {
            t[i] = times[(head + i) % times.length];
            w[i] = weights[(head + i) % times.length];
        }
        times = t;
        weights = w;
        head = 0;
    }
}
