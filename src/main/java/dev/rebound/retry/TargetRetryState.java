package dev.rebound.retry;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.AdaptivePolicy;
import dev.rebound.config.BudgetPolicy;
import dev.rebound.window.SlidingCounts;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What one task knows about one target's recent attempts: the windowed counts behind the retry
 * budget, the error aggregation and adaptive retry, and the current effective maximum attempts.
 * Immutable and pure; kept in the retry-state store keyed by target.
 *
 * <p>Counts are kept in 12 buckets of 5 s (one minute); windows are rounded up to whole buckets,
 * so a 10 s budget window counts between 5 and 10 s of history.
 *
 * @param counts               the windowed counters
 * @param effectiveMaxAttempts the current adaptive limit, 1..retry.maxAttempts
 * @param lastAdjustedMs       when adaptive retry last changed the limit (epoch ms), or 0
 */
public record TargetRetryState(SlidingCounts counts, int effectiveMaxAttempts, long lastAdjustedMs) {

    static final long BUCKET_MS = 5_000;
    static final int BUCKETS = 12;
    static final int FIRST = 0;
    static final int RETRY = 1;
    static final int SUCCESS = 2;
    static final int FAILURE = 3;
    private static final int CATEGORY_BASE = 4;

    public static TargetRetryState initial(final int maxAttempts) {
        return new TargetRetryState(SlidingCounts.empty(BUCKETS, BUCKET_MS, CATEGORY_BASE + ErrorCategory.values().length),
                maxAttempts, 0);
    }

    /** A first attempt started: it earns the budget {@code ratio} of a retry. */
    public TargetRetryState onFirstAttempt(final Instant now) {
        return with(counts.add(now, FIRST, 1));
    }

    /** A retry was granted and is now waiting: it spends one from the budget. */
    public TargetRetryState onRetry(final Instant now) {
        return with(counts.add(now, RETRY, 1));
    }

    /** An attempt ended: {@code failure} is its category, or empty for a success. */
    public TargetRetryState onOutcome(final Instant now, final Optional<ErrorCategory> failure) {
        if (failure.isEmpty()) {
            return with(counts.add(now, SUCCESS, 1));
        }
        return with(counts.add(now, FAILURE, 1).add(now, CATEGORY_BASE + failure.get().ordinal(), 1));
    }

    /**
     * Whether one more retry fits the budget: retries in the window, this one included, may not
     * exceed {@code ratio × first attempts + minRetriesPerSecond × window seconds}.
     */
    public boolean budgetAllows(final Instant now, final BudgetPolicy budget) {
        final long window = budget.window().toMillis();
        final double allowed = budget.ratio() * counts.sum(now, FIRST, window)
                + budget.minRetriesPerSecond() * (window / 1000.0);
        return counts.sum(now, RETRY, window) + 1 <= allowed;
    }

    /** Retries the budget would still grant now (for status and metrics). */
    public double budgetLeft(final Instant now, final BudgetPolicy budget) {
        final long window = budget.window().toMillis();
        return Math.max(0, budget.ratio() * counts.sum(now, FIRST, window) + budget.minRetriesPerSecond() * (window / 1000.0)
                - counts.sum(now, RETRY, window));
    }

    /**
     * Adaptive retry: one step down under sustained failure, one step up under sustained success,
     * at most one step per {@code policy.step()}.
     */
    public TargetRetryState adapt(final Instant now, final AdaptivePolicy policy, final int configuredMax, final Duration window) {
        if (!policy.enabled()) {
            return effectiveMaxAttempts == configuredMax ? this : new TargetRetryState(counts, configuredMax, lastAdjustedMs);
        }
        if (now.toEpochMilli() - lastAdjustedMs < policy.step().toMillis()) {
            return this;
        }
        final long calls = calls(now, window);
        if (calls < policy.minCalls()) {
            return this;
        }
        final double rate = failureRate(now, window);
        if (rate >= policy.failureRate() && effectiveMaxAttempts > 1) {
            return new TargetRetryState(counts, effectiveMaxAttempts - 1, now.toEpochMilli());
        }
        if (rate < policy.failureRate() / 2 && effectiveMaxAttempts < configuredMax) {
            return new TargetRetryState(counts, effectiveMaxAttempts + 1, now.toEpochMilli());
        }
        return this;
    }

    /** Calls that ended in the window. */
    public long calls(final Instant now, final Duration window) {
        return counts.sum(now, SUCCESS, window.toMillis()) + counts.sum(now, FAILURE, window.toMillis());
    }

    /** Failures over calls in the window; 0 without calls. */
    public double failureRate(final Instant now, final Duration window) {
        final long calls = calls(now, window);
        return calls == 0 ? 0 : (double) counts.sum(now, FAILURE, window.toMillis()) / calls;
    }

    public long failures(final Instant now, final ErrorCategory category, final Duration window) {
        return counts.sum(now, CATEGORY_BASE + category.ordinal(), window.toMillis());
    }

    /** Categories with at least {@code threshold} failures in the window: the error patterns. */
    public Set<ErrorCategory> patterns(final Instant now, final Duration window, final int threshold) {
        final Set<ErrorCategory> out = EnumSet.noneOf(ErrorCategory.class);
        for (final ErrorCategory c : ErrorCategory.values()) {
            if (failures(now, c, window) >= threshold) {
                out.add(c);
            }
        }
        return out;
    }

    /** The limit of a target whose configured maximum changed since the state was stored. */
    public TargetRetryState clampedTo(final int configuredMax) {
        return effectiveMaxAttempts <= configuredMax ? this : new TargetRetryState(counts, configuredMax, lastAdjustedMs);
    }

    private TargetRetryState with(final SlidingCounts c) {
        return new TargetRetryState(c, effectiveMaxAttempts, lastAdjustedMs);
    }
}
