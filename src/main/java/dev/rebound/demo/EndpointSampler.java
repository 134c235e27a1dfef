package dev.rebound.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples each endpoint's own call counter (e.g. a simulator's {@code calls()}) at a fixed period
 * on a daemon thread, from the moment it is made, into {@link EndpointShares.Sample}s: the
 * evidence for how a pool shared its calls over time, taken where the calls arrive.
 */
public final class EndpointSampler implements AutoCloseable {

    private final long start = System.nanoTime();
    private final Map<String, LongSupplier> counters;
    private final List<EndpointShares.Sample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "endpoint-sampler");
        t.setDaemon(true);
        return t;
    });

    /** @param counters each endpoint's call counter, by endpoint name, in the pool's order */
    public EndpointSampler(final Map<String, LongSupplier> counters, final long periodMillis) {
        this.counters = new LinkedHashMap<>(counters);
        sample();
        timer.scheduleAtFixedRate(this::sample, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Seconds since the sampler was made: the time axis of its samples. */
    public double second() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Takes a sample now (also done by the timer). */
    public void sample() {
        final Map<String, Long> calls = new LinkedHashMap<>();
        counters.forEach((e, c) -> calls.put(e, c.getAsLong()));
        final EndpointShares.Sample s = new EndpointShares.Sample(second(), calls);
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** The samples so far, oldest first. */
    public List<EndpointShares.Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sample();
    }
}
