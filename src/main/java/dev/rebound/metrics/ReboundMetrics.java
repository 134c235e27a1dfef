package dev.rebound.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Rebound's metrics, in one Prometheus registry per instance (served on {@code /metrics} by
 * {@code ops.OpsServer}). Counters and timers are shared by all tasks; gauges of per-task state
 * (a target's adaptive limit, budget, error window) carry a {@code task} tag, since each task
 * keeps its own share of that state.
 */
public final class ReboundMetrics {

    private volatile String topologyProblem;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    /** {@code System.nanoTime} of the latest punctuation of any task of this instance, or 0. */
    private final AtomicLong lastPunctuation = new AtomicLong();
    private final AtomicLong delayEntered = new AtomicLong();

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Meters used once or more per request, by their tag values: building a meter's id and looking
     * it up in the registry on every call cost more than recording into it.
     */
    private final Map<List<String>, Timer> attemptTimers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> terminalCounters = new ConcurrentHashMap<>();
    private volatile Timer fireLateness;

    /**
     * The buckets of {@code rebound_attempt_duration_seconds}: a dozen fixed ones from a fast tool
     * call to a long completion, so that a dashboard can take percentiles over every instance
     * ({@code histogram_quantile} over summed buckets; percentiles computed in each instance cannot
     * be combined) without the ~70 buckets per tag set of Micrometer's default histogram.
     */
    private static final Duration[] ATTEMPT_BUCKETS = {
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};

    public void attempt(final String target, final String outcome, final String category, final Duration took) {
        attemptTimers.computeIfAbsent(List.of(target, outcome, category), k -> Timer.builder("rebound.attempt.duration")
                .description("Duration of attempts, by outcome").tags("target", target, "outcome", outcome, "category", category)
                .serviceLevelObjectives(ATTEMPT_BUCKETS).register(registry)).record(took);
    }

    public void retryScheduled(final String target, final String tier) {
        Counter.builder("rebound.retries").description("Retries granted and sent to a delay tier")
                .tags("target", target, "tier", tier).register(registry).increment();
    }

    /** A request entered the delay path (a retry's wait, or a deferral while its target does not admit it). */
    public void delayEntered() {
        delayEntered.incrementAndGet();
    }

    /** Requests in the delay path now: entered minus fired, for this instance. */
    public long delayWaiting() {
        final Timer t = registry.find("rebound.retry.fire.lateness").timer();
        return Math.max(0, delayEntered.get() - (t == null ? 0 : t.count()));
    }

    /** A waiting request's timer fired {@code lateness} after it was due (never before). */
    public void retryFired(final Duration lateness) {
        Timer t = fireLateness;
        if (t == null) {
            t = Timer.builder("rebound.retry.fire.lateness").description("How late a waiting request's timer fired after its due time")
                    .publishPercentiles(0.5, 0.99).register(registry);
            fireLateness = t;
        }
        t.record(lateness.isNegative() ? Duration.ZERO : lateness);
    }

    /** The p99 of {@link #retryFired} lateness so far, in ms, or NaN before any. */
    public double retryFireLatenessP99Ms() {
        final Timer t = registry.find("rebound.retry.fire.lateness").timer();
        if (t == null || t.count() == 0) {
            return Double.NaN;
        }
        for (final var v : t.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.99) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    public void terminal(final String kind, final String target, final String reason) {
        final String t = target == null ? "" : target;
        terminalCounters.computeIfAbsent(List.of(kind, t, reason), k -> Counter.builder("rebound.terminal")
                .description("Terminal records written, by kind and reason").tags("kind", kind, "target", t, "reason", reason)
                .register(registry)).increment();
    }

    /** A request that waited for its target's rate limit starts its call after {@code waited}. */
    public void rateLimitWait(final String target, final String priority, final Duration waited) {
        Timer.builder("rebound.ratelimit.wait").description("How long requests waited for their target's rate limit, by priority")
                .tags("target", target, "priority", priority).publishPercentiles(0.5, 0.99).register(registry)
                .record(waited.isNegative() ? Duration.ZERO : waited);
    }

    public void circuitTransition(final String target, final String state) {
        Counter.builder("rebound.circuit.transitions").description("Circuit transitions decided by owner tasks")
                .tags("target", target, "to", state).register(registry).increment();
    }

    public void admissionRefused(final String target, final String why) {
        Counter.builder("rebound.admission.refused").description("Calls not made because a circuit did not admit them")
                .tags("target", target, "why", why).register(registry).increment();
    }

    public void healthCheck(final String target, final boolean passed) {
        Counter.builder("rebound.health.checks").description("Health checks run by owner tasks, by result")
                .tags("target", target, "result", passed ? "passed" : "failed").register(registry).increment();
    }

    /** A fault in the deployment (topics, partitions) that makes this instance not ready until fixed; logged once. */
    public void topologyProblem(final String problem) {
        if (!problem.equals(topologyProblem)) {
            topologyProblem = problem;
            LoggerFactory.getLogger(ReboundMetrics.class).error("not ready: {}", problem);
        }
    }

    /** The last deployment fault reported, if any. */
    public Optional<String> topologyProblem() {
        return Optional.ofNullable(topologyProblem);
    }

    /** A punctuator ran: the stream thread that owns it is not stuck. */
    public void punctuated() {
        lastPunctuation.set(System.nanoTime());
    }

    /** How long ago a punctuator last ran on this instance, or {@code null} if none has yet. */
    public Duration punctuatorAge() {
        final long last = lastPunctuation.get();
        return last == 0 ? null : Duration.ofNanos(System.nanoTime() - last);
    }

    public void fallback(final String target, final String step, final String outcome) {
        Counter.builder("rebound.fallbacks").description("Fallback steps tried, by step and whether they answered")
                .tags("target", target, "step", step, "outcome", outcome).register(registry).increment();
    }

    /** Sets a gauge (created on first use); values are stored as thousandths to keep rates. */
    public void gauge(final String name, final String description, final Tags tags, final double value) {
        final String key = name + tags;
        gauges.computeIfAbsent(key, k -> {
            final AtomicLong holder = new AtomicLong();
            final ToDoubleFunction<AtomicLong> read = h -> h.get() / 1000.0;
            Gauge.builder(name, holder, read).description(description).tags(tags).register(registry);
            return holder;
        }).set(Math.round(value * 1000));
    }

    /** A gauge read on every scrape from {@code source}. */
    public <T> void gauge(final String name, final String description, final Tags tags, final T source, final ToDoubleFunction<T> f) {
        Gauge.builder(name, source, f).description(description).tags(tags).strongReference(true)
                .register(registry);
    }
}
