package dev.rebound.topology;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.Durations;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.retry.TargetRetryState;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The retry-state store of one task: each target's {@link TargetRetryState}, read, updated by a
 * pure function and written back. Logs an error pattern when a category first crosses the
 * configured threshold, and when adaptive retry changes a limit.
 */
final class RetryStates {

    private static final Logger LOG = LoggerFactory.getLogger(RetryStates.class);

    private final KeyValueStore<String, TargetRetryState> store;
    private final ReboundConfig config;
    private final String task;

    RetryStates(final KeyValueStore<String, TargetRetryState> store, final ReboundConfig config, final String task) {
        this.store = store;
        this.config = config;
        this.task = task;
    }

    TargetRetryState get(final TargetConfig target) {
        final TargetRetryState s = store.get(target.name());
        return s == null ? TargetRetryState.initial(target.retry().maxAttempts()) : s.clampedTo(target.retry().maxAttempts());
    }

    void firstAttempt(final TargetConfig target, final Instant now) {
        update(target, s -> s.onFirstAttempt(now));
    }

    void retryGranted(final TargetConfig target, final Instant now) {
        update(target, s -> s.onRetry(now));
    }

    /** Records an attempt's outcome and lets adaptive retry react; returns the new state. */
    TargetRetryState outcome(final TargetConfig target, final Instant now, final Optional<ErrorCategory> failure) {
        final TargetRetryState before = get(target);
        final TargetRetryState after = before.onOutcome(now, failure)
                .adapt(now, target.adaptive(), target.retry().maxAttempts(), config.retries().errorWindow());
        store.put(target.name(), after);
        if (after.effectiveMaxAttempts() != before.effectiveMaxAttempts()) {
            LOG.warn("task {}: adaptive retry set max attempts of {} to {} (failure rate {} in {})", task, target.name(),
                    after.effectiveMaxAttempts(), String.format("%.2f", after.failureRate(now, config.retries().errorWindow())),
                    Durations.format(config.retries().errorWindow()));
        }
        failure.ifPresent(category -> {
            final int threshold = config.retries().patternThreshold();
            if (after.failures(now, category, config.retries().errorWindow()) == threshold) {
                LOG.warn("task {}: error pattern on {}: {} {} failures within {}", task, target.name(), threshold, category,
                        Durations.format(config.retries().errorWindow()));
            }
        });
        return after;
    }

    Set<ErrorCategory> patterns(final TargetConfig target, final Instant now) {
        return get(target).patterns(now, config.retries().errorWindow(), config.retries().patternThreshold());
    }

    private void update(final TargetConfig target, final UnaryOperator<TargetRetryState> f) {
        store.put(target.name(), f.apply(get(target)));
    }
}
