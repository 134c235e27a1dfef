package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import java.time.Duration;

/**
 * How many calls this process may have in flight to one target: fixed at {@code maxInFlight}, or
 * {@link AdaptiveLimit adaptive} ({@code rateLimit: { concurrency: auto }}). {@link TargetSlots}
 * reads {@link #current()} before it issues or re-issues a permit and reports every finished call.
 */
public sealed interface ConcurrencyLimit permits ConcurrencyLimit.Fixed, AdaptiveLimit {

    /** The calls that may be in flight now, at least 1. */
    int current();

    /** The same, asked by the slots with {@code inFlight} calls in flight now: an adaptive limit watches its use. */
    default int current(final int inFlight) {
        return current();
    }

    /**
     * A call started with {@code inflight} calls in flight (itself included) ended with
     * {@code outcome} after {@code rttNanos}. Returns how long its permit must rest before it starts
     * another call ({@link Duration#ZERO}: at once). Called on the thread that ends the call.
     */
    Duration onCall(CallOutcome outcome, long rttNanos, int inflight);

    /** {@code maxInFlight}, whatever the calls say. */
    record Fixed(int current) implements ConcurrencyLimit {

        public Fixed {
            if (current < 1) {
                throw new IllegalArgumentException("a concurrency limit is at least 1, was " + current);
            }
        }

        @Override
        public Duration onCall(final CallOutcome outcome, final long rttNanos, final int inflight) {
            return Duration.ZERO;
        }
    }
}
