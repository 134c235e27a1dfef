package dev.rebound.window;

import java.time.Instant;
import java.util.Arrays;

/**
 * Counters over a sliding time window, in {@code buckets} buckets of {@code widthMs} each. A bucket
 * is reused for a newer period by clearing it; sums only include buckets whose period lies within
 * the window asked for. Immutable: every update returns a new instance (small: a few hundred longs).
 *
 * @param widthMs  the width of one bucket
 * @param periods  the period number ({@code epochMs / widthMs}) each bucket currently holds
 * @param counts   {@code counts[bucket][counter]}
 */
public record SlidingCounts(long widthMs, long[] periods, long[][] counts) {

    public static SlidingCounts empty(final int buckets, final long widthMs, final int counters) {
        final long[] periods = new long[buckets];
        Arrays.fill(periods, -1);
        return new SlidingCounts(widthMs, periods, new long[buckets][counters]);
    }

    /** Adds {@code delta} to {@code counter} at time {@code now}. */
    public SlidingCounts add(final Instant now, final int counter, final long delta) {
        final SlidingCounts next = copyFor(now);
        next.counts[bucket(now)][counter] += delta;
        return next;
    }

    /** Adds {@code deltas[c]} to each counter {@code c} at time {@code now}: one copy of the buckets for all of them. */
    public SlidingCounts add(final Instant now, final long[] deltas) {
        final SlidingCounts next = copyFor(now);
        final long[] bucket = next.counts[bucket(now)];
        for (int c = 0; c < deltas.length; c++) {
            bucket[c] += deltas[c];
        }
        return next;
    }

    private int bucket(final Instant now) {
        return (int) Math.floorMod(now.toEpochMilli() / widthMs, (long) periods.length);
    }

    /** A copy to add to at {@code now}: its bucket for now copied (or cleared, if it held an older period), the others shared. */
    private SlidingCounts copyFor(final Instant now) {
        final long period = now.toEpochMilli() / widthMs;
        final int b = bucket(now);
        final long[] newPeriods = periods.clone();
        final long[][] newCounts = counts.clone();
        if (newPeriods[b] != period) {
            newPeriods[b] = period;
            newCounts[b] = new long[counts[b].length];
        } else {
            newCounts[b] = counts[b].clone();
        }
        return new SlidingCounts(widthMs, newPeriods, newCounts);
    }

    /** The sum of {@code counter} over the last {@code windowMs} (whole buckets, the current one included). */
    public long sum(final Instant now, final int counter, final long windowMs) {
        final long current = now.toEpochMilli() / widthMs;
        final long oldest = oldest(current, windowMs);
        long sum = 0;
        for (int b = 0; b < periods.length; b++) {
            if (periods[b] >= oldest && periods[b] <= current) {
                sum += counts[b][counter];
            }
        }
        return sum;
    }

    /** The sum of every counter over the last {@code windowMs}, in one pass over the buckets. */
    public long[] sums(final Instant now, final long windowMs) {
        final long current = now.toEpochMilli() / widthMs;
        final long oldest = oldest(current, windowMs);
        final long[] sums = new long[counts.length == 0 ? 0 : counts[0].length];
        for (int b = 0; b < periods.length; b++) {
            if (periods[b] >= oldest && periods[b] <= current) {
                for (int c = 0; c < sums.length; c++) {
                    sums[c] += counts[b][c];
                }
            }
        }
        return sums;
    }

    /** The oldest period within {@code windowMs} of period {@code current}. */
    private long oldest(final long current, final long windowMs) {
        return current - Math.max(1, (windowMs + widthMs - 1) / widthMs) + 1;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof SlidingCounts s && s.widthMs == widthMs && Arrays.equals(s.periods, periods)
                && Arrays.deepEquals(s.counts, counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(periods) * 31 + Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "SlidingCounts[" + widthMs + "ms x " + periods.length + "]";
    }
}
