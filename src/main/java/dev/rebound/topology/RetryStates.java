package dev.rebound.topology;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.retry.TargetRetryState;
import dev.rebound.time.Durations;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The retry-state store of one task: each target's {@link TargetRetryState}, updated by a pure
 * function. The states live in memory and are written to the store by {@link #flush} (the
 * processor calls it every {@link #FLUSH_EVERY}), not on every request: serializing a target's
 * buckets twice per request was a third of the stream thread's time. A crash loses at most the
 * counts since the last flush, which a budget and an adaptive limit (both estimates over a window)
 * can afford. Logs an error pattern when a category first crosses the configured threshold, and
 * when adaptive retry changes a limit.
 */
final class RetryStates {

    private static final Logger LOG = LoggerFactory.getLogger(RetryStates.class);

    /** How often changed states are written to the store (and their gauges updated). */
    static final Duration FLUSH_EVERY = Duration.ofMillis(100);

    private final KeyValueStore<String, TargetRetryState> store;
    private final ReboundConfig config;
    private final String task;
    private final ReboundMetrics metrics;
    private final Map<String, TargetRetryState> live = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private long flushedAtMs;

    RetryStates(final KeyValueStore<String, TargetRetryState> store, final ReboundConfig config, final String task,
                final ReboundMetrics metrics) {
        this.store = store;
        this.config = config;
        this.task = task;
        this.metrics = metrics;
    }

    TargetRetryState get(final TargetConfig target) {
        return live.computeIfAbsent(target.name(), name -> {
            final TargetRetryState s = store.get(name);
            return s == null ? TargetRetryState.initial(target.retry().maxAttempts()) : s.clampedTo(target.retry().maxAttempts());
        });
    }

    private void put(final TargetConfig target, final TargetRetryState state) {
        live.put(target.name(), state);
        dirty.add(target.name());
    }

    /** Writes the states changed since the last flush to the store, at most every {@link #FLUSH_EVERY}; updates their gauges. */
    void flush(final Instant now) {
        if (dirty.isEmpty() || now.toEpochMilli() - flushedAtMs < FLUSH_EVERY.toMillis()) {
            return;
        }
        flushedAtMs = now.toEpochMilli();
        for (final String name : dirty) {
            final TargetRetryState state = live.get(name);
            store.put(name, state);
            config.target(name).ifPresent(t -> report(t, now, state));
        }
        dirty.clear();
    }

    void firstAttempt(final TargetConfig target, final Instant now) {
        put(target, get(target).onFirstAttempt(now));
    }

    /** A retry was granted: {@code state} (as {@link #outcome} returned it) spends one from the budget. */
    void retryGranted(final TargetConfig target, final Instant now, final TargetRetryState state) {
        put(target, state.onRetry(now));
    }

    /** Records an attempt's outcome and lets adaptive retry react; returns the new state. */
    TargetRetryState outcome(final TargetConfig target, final Instant now, final Optional<ErrorCategory> failure) {
        final TargetRetryState before = get(target);
        final TargetRetryState after = before.onOutcome(now, failure)
                .adapt(now, target.adaptive(), target.retry().maxAttempts(), config.retries().errorWindow());
        put(target, after);
        if (after.effectiveMaxAttempts() != before.effectiveMaxAttempts()) {
            LOG.warn("task {}: adaptive retry set max attempts of {} to {} (failure rate {} in {})", task, target.name(),
                    after.effectiveMaxAttempts(), String.format("%.2f", after.failureRate(now, config.retries().errorWindow())),
                    Durations.format(config.retries().errorWindow()));
        }
        failure.ifPresent(category -> {
            final int threshold = config.retries().patternThreshold();
            final long inWindow = after.failures(now, category, config.retries().errorWindow());
            if (inWindow == threshold) {
                LOG.warn("task {}: error pattern on {}: {} {} failures within {}", task, target.name(), threshold, category,
                        Durations.format(config.retries().errorWindow()));
            }
            final Tags tags = Tags.of("target", target.name(), "task", task, "category", category.name());
            metrics.gauge("rebound.errors.window", "Failures of a category within the error window, per task", tags, inWindow);
            metrics.gauge("rebound.errors.rate", "Failures of a category per second over the error window, per task", tags,
                    inWindow / (double) config.retries().errorWindow().toSeconds());
            metrics.gauge("rebound.errors.pattern", "1 while a category is at or over errors.patternThreshold in the window",
                    tags, inWindow >= threshold ? 1 : 0);
        });
        return after;
    }

    private void report(final TargetConfig target, final Instant now, final TargetRetryState state) {
        final Tags tags = Tags.of("target", target.name(), "task", task);
        metrics.gauge("rebound.retry.effective.max.attempts", "The adaptive limit on attempts, per task", tags,
                state.effectiveMaxAttempts());
        metrics.gauge("rebound.retry.budget.left", "Retries the budget would still grant, per task", tags,
                state.budgetLeft(now, target.budget()));
        metrics.gauge("rebound.errors.failure.rate", "Failed over all attempts in the error window, per task", tags,
                state.failureRate(now, config.retries().errorWindow()));
    }

    Set<ErrorCategory> patterns(final TargetConfig target, final Instant now) {
        return get(target).patterns(now, config.retries().errorWindow(), config.retries().patternThreshold());
    }
}
