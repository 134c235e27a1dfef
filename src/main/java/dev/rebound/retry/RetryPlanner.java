package dev.rebound.retry;

import dev.rebound.classify.Classification;
import dev.rebound.config.RetrySettings;
import dev.rebound.config.TargetConfig;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Decides what follows a failed attempt. Pure: a function of the failure, the request's history,
 * the target's state, the time and the random source. The checks run cheapest and most final
 * first, and the two that consume something (the target's budget, the instance-wide cap) last, so
 * a retry that is refused for another reason spends nothing.
 */
public final class RetryPlanner {

    private RetryPlanner() {
    }

    /**
     * The request's side of the decision.
     *
     * @param failedAttempt the attempt that failed, 1-based
     * @param previousWait  this request's previous wait, for decorrelated jitter
     * @param deadline      the request's deadline, or {@code null}
     * @param maxAttempts   the request's own {@code policy.maxAttempts}, if it gave one: a lower
     *                      {@code retry.maxAttempts} for this request only
     */
    public record Attempted(int failedAttempt, Optional<Duration> previousWait, Instant deadline, OptionalInt maxAttempts) {

        /** A request that does not narrow the target's attempts. */
        public Attempted(final int failedAttempt, final Optional<Duration> previousWait, final Instant deadline) {
            this(failedAttempt, previousWait, deadline, OptionalInt.empty());
        }
    }

    /**
     * What bounds retries beyond the request itself.
     *
     * @param state        the target's retry state on this task: its adaptive limit and budget
     * @param settings     the instance's retry settings: the delay tiers and the cap
     * @param globalPermit takes a permit from the instance-wide retry cap; called only when
     *                     everything else allows the retry
     */
    public record Caps(TargetRetryState state, RetrySettings settings, BooleanSupplier globalPermit) {
    }

    public static RetryDecision decide(final Classification failure, final Attempted attempted, final TargetConfig target,
                                       final Caps caps, final Instant now, final RandomGenerator random) {
        final int failedAttempt = attempted.failedAttempt();
        final Instant deadline = attempted.deadline();
        final TargetRetryState state = caps.state();
        final String what = target.name() + " failed with " + failure.category()
                + (failure.httpStatus() == null ? "" : " (HTTP " + failure.httpStatus() + ")") + ": " + failure.message();
        if (!failure.retryable()) {
            return new RetryDecision.GiveUp(DeadLetterReason.NON_RETRYABLE, what + "; not retryable");
        }
        // the configured policy is the ceiling; the request's policy and adaptive retry each only lower it
        final int configured = target.retry().maxAttempts();
        final int requested = Math.min(attempted.maxAttempts().orElse(configured), configured);
        final int limit = Math.min(state.effectiveMaxAttempts(), requested);
        if (failedAttempt >= limit) {
            final String lowered = limit == configured ? ""
                    : limit < requested ? " (adaptive retry lowered the limit from " + requested + " under sustained failure)"
                    : " (the request's policy limited it to " + requested + "; the target allows " + configured + ")";
            return new RetryDecision.GiveUp(DeadLetterReason.RETRIES_EXHAUSTED,
                    what + "; " + failedAttempt + " of " + limit + " attempts used" + lowered);
        }
        final Duration backoff = Backoff.delay(target.retry(), failedAttempt, attempted.previousWait(), random);
        final Duration wait = Backoff.wait(backoff, failure.retryAfter());
        final Instant due = now.plus(wait);
        if (deadline != null && due.isAfter(deadline)) {
            return new RetryDecision.GiveUp(DeadLetterReason.DEADLINE_EXCEEDED,
                    what + "; the next attempt would start at " + due + " (wait " + Durations.format(wait) + "), after the deadline " + deadline);
        }
        if (!state.budgetAllows(now, target.budget())) {
            return new RetryDecision.GiveUp(DeadLetterReason.RETRY_BUDGET_EXHAUSTED,
                    what + "; the retry budget of " + target.name() + " is spent (ratio " + target.budget().ratio()
                            + " of first attempts in " + Durations.format(target.budget().window()) + ")");
        }
        if (!caps.globalPermit().getAsBoolean()) {
            return new RetryDecision.GiveUp(DeadLetterReason.RETRY_BUDGET_EXHAUSTED,
                    what + "; the instance-wide cap of " + caps.settings().maxPerSecond() + " retries per second is reached");
        }
        return new RetryDecision.Retry(wait, due, caps.settings().tierFor(wait));
    }
}
