package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;
import dev.rebound.window.SlidingCounts;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sliding window of a circuit: calls, failures, slow calls and rate-limited calls, either over
 * time (12 buckets spanning {@code circuit.window}) or over the last {@code windowSize} calls (a
 * ring of flags), plus the run of consecutive failures. Immutable.
 *
 * @param time  the time window, or {@code null} for a count window
 * @param ring  the count window's flags per call (bit 0 failure, 1 slow, 2 rate-limited), or {@code null}
 * @param next  the ring slot the next call goes to
 * @param size  calls in the ring so far (at most its length)
 * @param consecutiveFailures failures in a row, all windows aside
 */
public record CircuitWindow(SlidingCounts time, byte[] ring, int next, int size, int consecutiveFailures) {

    private static final int CALLS = 0;
    private static final int FAILURES = 1;
    private static final int SLOW = 2;
    private static final int RATE_LIMITED = 3;
    private static final int BUCKETS = 12;

    public static CircuitWindow empty(final CircuitPolicy p) {
        return p.windowType() == CircuitPolicy.WindowType.TIME
                ? new CircuitWindow(SlidingCounts.empty(BUCKETS, Math.max(1, p.window().toMillis() / BUCKETS), 4), null, 0, 0, 0)
                : new CircuitWindow(null, new byte[p.windowSize()], 0, 0, 0);
    }

    /**
     * Records one call. A rate-limited call is counted apart and is a failure for the circuit only
     * when {@code rateLimitedTrips}.
     */
    public CircuitWindow record(final Instant at, final boolean failed, final boolean slow, final boolean rateLimited,
                                final boolean rateLimitedTrips) {
        final boolean failure = failed && (!rateLimited || rateLimitedTrips);
        final int consecutive = failure ? consecutiveFailures + 1 : (failed ? consecutiveFailures : 0);
        if (time != null) {
            final long[] deltas = {1, failure ? 1 : 0, slow ? 1 : 0, rateLimited ? 1 : 0}; // CALLS, FAILURES, SLOW, RATE_LIMITED
            return new CircuitWindow(time.add(at, deltas), null, 0, 0, consecutive);
        }
        final byte[] r = ring.clone();
        r[next] = (byte) ((failure ? 1 : 0) | (slow ? 2 : 0) | (rateLimited ? 4 : 0));
        return new CircuitWindow(null, r, (next + 1) % r.length, Math.min(r.length, size + 1), consecutive);
    }

    /** The calls in the window at {@code now} and the shares of them that failed and were slow. */
    public record Figures(long calls, double failureRate, double slowCallRate) {
    }

    /** {@link #calls}, {@link #failureRate} and {@link #slowCallRate} at once: one pass over the window. */
    public Figures figures(final Instant now) {
        if (time == null) {
            return new Figures(size, failureRate(now), slowCallRate(now));
        }
        final long[] sums = time.sums(now, span());
        final long calls = sums[CALLS];
        return calls == 0 ? new Figures(0, 0, 0) : new Figures(calls, sums[FAILURES] / (double) calls, sums[SLOW] / (double) calls);
    }

    public long calls(final Instant now) {
        return time != null ? time.sum(now, CALLS, span()) : size;
    }

    public double failureRate(final Instant now) {
        return rate(now, FAILURES, 1);
    }

    public double slowCallRate(final Instant now) {
        return rate(now, SLOW, 2);
    }

    public long rateLimited(final Instant now) {
        return time != null ? time.sum(now, RATE_LIMITED, span()) : count(4);
    }

    /** A fresh window, keeping nothing: after a transition the old counts no longer describe the target. */
    public CircuitWindow cleared() {
        return time != null
                ? new CircuitWindow(SlidingCounts.empty(time.periods().length, time.widthMs(), 4), null, 0, 0, 0)
                : new CircuitWindow(null, new byte[ring.length], 0, 0, 0);
    }

    private double rate(final Instant now, final int counter, final int bit) {
        final long calls = calls(now);
        if (calls == 0) {
            return 0;
        }
        return (time != null ? time.sum(now, counter, span()) : count(bit)) / (double) calls;
    }

    private long span() {
        return time.widthMs() * time.periods().length;
    }

    private long count(final int bit) {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += (ring[i] & bit) != 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof CircuitWindow w && Objects.equals(w.time, time) && Arrays.equals(w.ring, ring)
                && w.next == next && w.size == size && w.consecutiveFailures == consecutiveFailures;
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, Arrays.hashCode(ring), next, size, consecutiveFailures);
    }

    @Override
    public String toString() {
        return "CircuitWindow[size=" + size + ", consecutiveFailures=" + consecutiveFailures + "]";
    }
}
