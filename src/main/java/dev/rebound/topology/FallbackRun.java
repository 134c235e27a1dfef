package dev.rebound.topology;

import dev.rebound.config.Durations;
import dev.rebound.config.FallbackStep;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallOutcome;
import dev.rebound.fallback.FallbackChain;
import dev.rebound.fallback.Trigger;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.Json;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Runs a request's fallback chain inside the executor task: which step applies comes from
 * {@link FallbackChain} (pure); this class does what a step means here: a static value or a cached
 * response answers at once, a target step hands the request back to the processor for a call, and
 * when every applicable step has failed the dead letter lists them. Stream-thread only.
 */
final class FallbackRun {

    /** What the chain asks of its processor. */
    interface Actions {
        /** Write the terminal record (result or dead letter) and forget the request. */
        void answer(String id, InFlightEntry entry, String sink, String json, String reason);

        /** Store the moved entry and start the first call of the step's target. */
        void call(String id, InFlightEntry moved, TargetConfig stepTarget, Instant now);
    }

    private final ReboundConfig config;
    private final ResponseCache cache;
    private final ReboundMetrics metrics;
    private final Actions actions;

    /** Fallback step {@code stage} (1-based) of {@code primary}'s chain, or {@code null} if the configuration no longer has it. */
    static FallbackStep stepAt(final TargetConfig primary, final int stage) {
        return stage >= 1 && stage <= primary.fallback().size() ? primary.fallback().get(stage - 1) : null;
    }

    FallbackRun(final ReboundConfig config, final ResponseCache cache, final ReboundMetrics metrics, final Actions actions) {
        this.config = config;
        this.cache = cache;
        this.metrics = metrics;
        this.actions = actions;
    }

    /** A success of the primary is the last good response for its cache key, when its chain has a cache step. */
    void remember(final TargetConfig primary, final InFlightEntry entry, final CallOutcome.Success s, final Instant now) {
        for (final FallbackStep step : primary.fallback()) {
            if (step instanceof FallbackStep.FromCache c) {
                cache.put(primary.name(), entry.agentRequest().effectiveCacheKey(), s.body(), s.status(), now, c.maxEntries());
                return;
            }
        }
    }

    /** The primary cannot answer: the first applicable fallback step runs, or the request is dead-lettered. */
    void giveUp(final String id, final InFlightEntry entry, final TargetConfig primary, final Trigger why, final Instant now) {
        runChain(id, entry.because(why), primary, 0, now);
    }

    /** Fallback step {@code entry.stage()} could not answer: the chain goes on after it. */
    void stepFailed(final String id, final InFlightEntry entry, final TargetConfig primary, final String error, final Instant now) {
        final FallbackStep step = stepAt(primary, entry.stage());
        final String name = step == null ? "removed" : step.servedBy();
        metrics.fallback(primary.name(), name, "failed");
        runChain(id, entry.stepFailed(new FallbackFailure(entry.stage(), name, error)), primary, entry.stage(), now);
    }

    /**
     * Tries the fallback steps from index {@code from} on, in order, each only if the primary's
     * trigger is on its list: cache and static answer at once; a target step starts that target's
     * first call and the chain resumes when that call ends (the processor calls
     * {@link #stepFailed} or answers with its result).
     */
    void runChain(final String id, final InFlightEntry start, final TargetConfig primary, final int from, final Instant now) {
        InFlightEntry entry = start;
        final Trigger why = entry.trigger();
        OptionalInt next = FallbackChain.next(primary.fallback(), from, why);
        while (next.isPresent()) {
            final int index = next.getAsInt();
            final FallbackStep step = primary.fallback().get(index);
            final String error;
            if (step instanceof FallbackStep.Static st) {
                metrics.fallback(primary.name(), step.servedBy(), "served");
                actions.answer(id, entry, Nodes.RESULTS_SINK, Json.text(Terminals.fallback(entry, step.servedBy(), st.value(), null,
                        entry.attempts().size(), now)), "FALLBACK");
                return;
            } else if (step instanceof FallbackStep.FromCache c) {
                final String cacheKey = entry.agentRequest().effectiveCacheKey();
                final Optional<ResponseCache.Cached> hit = cache.get(primary.name(), cacheKey, now, c.ttl());
                if (hit.isPresent()) {
                    metrics.fallback(primary.name(), step.servedBy(), "served");
                    actions.answer(id, entry, Nodes.RESULTS_SINK, Json.text(Terminals.fallback(entry, step.servedBy(), hit.get().response(),
                            hit.get().httpStatus(), entry.attempts().size(), now)), "FALLBACK");
                    return;
                }
                error = "no response of " + primary.name() + " younger than " + Durations.format(c.ttl())
                        + " for cache key '" + cacheKey + "'";
            } else {
                final FallbackStep.ToTarget t = (FallbackStep.ToTarget) step;
                if (entry.attempts().size() >= config.limits().maxAttemptsPerRequest()) {
                    error = "not called: the request's attempt budget (limits.maxAttemptsPerRequest = "
                            + config.limits().maxAttemptsPerRequest() + ") is spent";
                } else {
                    final InFlightEntry moved = entry.atStep(index + 1);
                    final TargetConfig other = config.target(t.target()).orElse(null);
                    if (other != null) {
                        actions.call(id, moved, other, now);
                        return;
                    }
                    error = "not called: target '" + t.target() + "' is no longer configured";
                }
            }
            metrics.fallback(primary.name(), step.servedBy(), "failed");
            entry = entry.stepFailed(new FallbackFailure(index + 1, step.servedBy(), error));
            next = FallbackChain.next(primary.fallback(), index + 1, why);
        }
        if (entry.fallbackFailed().isEmpty()) {
            actions.answer(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.gaveUp(entry, why, now)), why.deadLetterReason().name());
        } else {
            actions.answer(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.fallbackFailed(entry, now)), "FALLBACK_FAILED");
        }
    }
}
