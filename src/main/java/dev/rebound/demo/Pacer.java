package dev.rebound.demo;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a load generator at a fixed rate: record {@code i} is due {@code i / rate} seconds after
 * the pacer was made, so a slow send is caught up rather than shifting every later one. For the
 * demo's and the benchmarks' producers, never for a stream thread.
 */
public final class Pacer {

    private final long start = System.nanoTime();
    private final double rate;

    /** @param rate records per second; 0 or less means no pacing */
    public Pacer(final double rate) {
        this.rate = rate;
    }

    /** Waits until record {@code i} is due. */
    public void awaitSlot(final long i) {
        if (rate <= 0) {
            return;
        }
        final long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
