package dev.rebound.lifecycle;

import dev.rebound.circuit.Admission;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.FallbackReason;
import dev.rebound.config.FallbackStep;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.fallback.FallbackChain;
import dev.rebound.fallback.Trigger;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.AgentResult;
import dev.rebound.request.Attempt;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.RequestPolicy;
import dev.rebound.retry.RetryDecision;
import dev.rebound.retry.RetryPlanner;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A request's whole life as one pure function: {@link #next}{@code (entry, event, now, env)}
 * returns the {@link Step}s to take. Here, and only here, is the answer to "why was this request
 * retried, sent to its fallback, dead-lettered?": the processor executes the steps and reports
 * what it observed back as events.
 *
 * <p>Invariants the model-based test holds this to: a request ends with exactly one
 * {@link Step.Terminal}; after it, no event produces a step; a stale event (a timer or a call
 * outcome for an attempt the request has moved past) produces none; every non-terminal path
 * leaves the request either calling or waiting with a due time no later than its deadline, so
 * nothing waits for ever.
 */
public final class Lifecycle {

    /**
     * The first timer of a request parked because its target has no room. The processor resumes
     * parked requests in order as soon as room comes, ahead of their timers; a timer only stands in
     * for that backlog when it is lost, so it can be long.
     */
    public static final Duration PARK = Duration.ofSeconds(1);
    /** The longest such timer. */
    public static final Duration MAX_PARK = Duration.ofSeconds(30);

    private final ReboundConfig config;
    private final Terminals terminals;

    /** @param terminals builds the terminal records; they state each request's effective policy under {@code config} */
    public Lifecycle(final ReboundConfig config, final Terminals terminals) {
        this.config = config;
        this.terminals = terminals.under(config);
    }

    /**
     * The steps for {@code event} happening to the request whose in-flight entry is {@code entry}
     * ({@code null} when there is none: before arrival, or after its terminal record).
     */
    public List<Step> next(final InFlightEntry entry, final Event event, final Instant now, final Env env) {
        final Run run = new Run(now, env);
        if (event instanceof Event.Arrived a) {
            if (entry == null) {
                run.arrived(a);
            }
        } else if (entry == null) {
            return List.of(); // the request has ended: nothing can happen to it any more
        } else if (event instanceof Event.Resumed) {
            if (!entry.waiting()) {
                run.begin(entry);
            }
        } else if (event instanceof Event.TimerDue t) {
            if (entry.waiting() && entry.attempt() == t.attempt() && entry.dueAt().toEpochMilli() == t.due().toEpochMilli()) {
                if (!entry.parked()) {
                    run.steps.add(new Step.RetryFired(Duration.between(entry.dueAt(), now)));
                }
                run.begin(entry.fired());
            }
        } else if (event instanceof Event.NotAdmitted n) {
            if (!entry.waiting()) {
                run.notAdmitted(entry, n.defer());
            }
        } else if (event instanceof Event.Busy b) {
            if (!entry.waiting()) {
                final Instant until = now.plus(parkFor(entry.parks(), env));
                final Instant due = entry.deadline() != null && until.isAfter(entry.deadline()) ? entry.deadline() : until;
                run.steps.add(new Step.Wait(entry.parkedUntil(due, b.what(), now), Optional.empty()));
            }
        } else if (event instanceof Event.CallFinished f) {
            if (!entry.waiting() && entry.attempt() == f.attempt()) {
                run.finished(entry, f);
            }
        } else if (event instanceof Event.Crashed c) {
            run.steps.add(new Step.CancelCall());
            run.terminal(entry, Step.Sink.DEAD_LETTER, terminals.processingError(entry, c.what(), now),
                    DeadLetterReason.PROCESSING_ERROR.name(), Optional.empty());
        }
        return List.copyOf(run.steps);
    }

    /**
     * How long a request whose target has no room waits at most before it asks again: 1 s, doubling
     * each time it is parked in a row up to 30 s, plus as much again at random. Its turn normally
     * comes sooner (the processor's backlog); the timer makes sure it comes even without one, and a
     * deep backlog costs few timer writes per request on the stream thread other targets share.
     */
    static Duration parkFor(final int parks, final Env env) {
        final long wait = Math.min(PARK.toMillis() << Math.min(parks, 5), MAX_PARK.toMillis());
        return Duration.ofMillis(wait + env.random().nextLong(wait + 1));
    }

    /** Fallback step {@code stage} (1-based) of {@code primary}'s chain, or {@code null} if the configuration no longer has it. */
    public static FallbackStep stepAt(final TargetConfig primary, final int stage) {
        return stage >= 1 && stage <= primary.fallback().size() ? primary.fallback().get(stage - 1) : null;
    }

    /** One call of {@link #next}: the time, the environment, and the steps gathered so far. */
    private final class Run {

        private final Instant now;
        private final Env env;
        private final List<Step> steps = new ArrayList<>();

        Run(final Instant now, final Env env) {
            this.now = now;
            this.env = env;
        }

        void arrived(final Event.Arrived a) {
            final InFlightEntry entry = InFlightEntry.first(a.key(), a.request(), now, a.source());
            config.target(a.request().target()).ifPresent(t -> steps.add(new Step.FirstAttempt(t.name())));
            begin(entry);
        }

        /** The current stage's next call: its target, within the deadline, or the reason it cannot be made. */
        void begin(final InFlightEntry entry) {
            final TargetConfig primary = primary(entry);
            if (primary == null) {
                return;
            }
            final TargetConfig target = stageTarget(primary, entry);
            if (target == null) {
                stepFailed(entry, primary, "this step is no longer configured");
                return;
            }
            Duration timeout = policy(entry, primary).capTimeout(target.timeout()); // the request's timeoutMs caps every attempt
            if (entry.deadline() != null) {
                final Duration left = Duration.between(now, entry.deadline());
                if (left.isNegative() || left.isZero()) {
                    deadlinePassed(entry, primary);
                    return;
                }
                if (left.compareTo(timeout) < 0) {
                    timeout = left;
                }
            }
            steps.add(new Step.Call(entry.calling(now), target.name(), timeout));
        }

        private void deadlinePassed(final InFlightEntry entry, final TargetConfig primary) {
            if (entry.stage() > 0) {
                stepFailed(entry, primary, "the deadline " + entry.deadline() + " passed before it could be called");
            } else if (entry.trigger() == null && !primary.fallback().isEmpty()) {
                giveUp(entry, primary, deadlineTrigger(entry));
            } else {
                terminal(entry, Step.Sink.DEAD_LETTER, terminals.deadlineExceeded(entry, now), DeadLetterReason.DEADLINE_EXCEEDED.name(),
                        Optional.empty());
            }
        }

        void notAdmitted(final InFlightEntry entry, final Admission.Defer defer) {
            final TargetConfig primary = primary(entry);
            if (primary == null) {
                return;
            }
            if (entry.stage() > 0) {
                stepFailed(entry, primary, "not admitted: " + defer.reason());
                return;
            }
            final Trigger why = new Trigger(ErrorCategory.CIRCUIT_OPEN,
                    defer.why() == Admission.Why.DISABLED ? FallbackReason.DISABLED : FallbackReason.CIRCUIT_OPEN,
                    primary.name() + " was not called: " + defer.reason());
            if (FallbackChain.handles(primary.fallback(), why, policy(entry, primary)::allowsStep)) {
                giveUp(entry, primary, why); // fail fast to the fallback: no call, no wait
                return;
            }
            // no fallback for it: wait in the delay path until the circuit may admit, unless that is past the deadline
            if (entry.deadline() != null && !defer.until().isBefore(entry.deadline())) {
                if (defer.why() == Admission.Why.DISABLED) {
                    terminal(entry, Step.Sink.DEAD_LETTER, terminals.deadlineWhileDisabled(entry, defer.reason(), now),
                            DeadLetterReason.DEADLINE_EXCEEDED.name(), Optional.empty());
                } else {
                    terminal(entry, Step.Sink.DEAD_LETTER, terminals.circuitOpen(entry, defer.reason(), now),
                            DeadLetterReason.CIRCUIT_OPEN.name(), Optional.empty());
                }
                return;
            }
            steps.add(new Step.Wait(entry.deferred(defer.until(), defer.reason()),
                    Optional.of(config.retries().tierFor(Duration.between(now, defer.until())))));
        }

        void finished(final InFlightEntry entry, final Event.CallFinished f) {
            final TargetConfig primary = primary(entry);
            if (primary == null) {
                return;
            }
            final TargetConfig target = config.target(f.target()).orElse(primary);
            final TargetConfig governing = config.owner(target); // an endpoint's retries are its pool's
            if (f.outcome() instanceof CallOutcome.Success s) {
                if (entry.stage() > 0) {
                    steps.add(new Step.FallbackUsed(primary.name(), target.name(), "served"));
                    terminal(entry, Step.Sink.RESULT, terminals.fallback(entry, target.name(), s.body(), s.status(), f.attempt(), now),
                            AgentResult.FALLBACK, Optional.of(target.name()));
                    return;
                }
                cacheStep(primary).ifPresent(c -> steps.add(new Step.Remember(primary.name(),
                        entry.agentRequest().effectiveCacheKey(), s.body(), s.status(), c.maxEntries())));
                terminal(entry, Step.Sink.RESULT, terminals.succeeded(entry, target.name(), f.attempt(), s, now), AgentResult.SUCCEEDED,
                        Optional.of(target.name()));
                return;
            }
            final CallOutcome.Failed failed = (CallOutcome.Failed) f.outcome();
            final Classification failure = failed.classification();
            final Attempt attempt = terminals.attempt(target.name(), f.attempt(), failed);
            final RetryDecision decision = entry.attempt() >= config.limits().maxAttemptsPerRequest() && failure.retryable()
                    ? new RetryDecision.GiveUp(DeadLetterReason.RETRIES_EXHAUSTED, target.name() + " failed with " + failure.category()
                            + ": " + terminals.text(failure.message()) + "; " + attemptBudgetMessage())
                    : RetryPlanner.decide(failure,
                            new RetryPlanner.Attempted(entry.stageAttempt(), Optional.ofNullable(entry.lastWaitMs()).map(Duration::ofMillis),
                                    entry.deadline(), entry.stage() == 0 ? policy(entry, primary).maxAttempts() : OptionalInt.empty()),
                            governing, new RetryPlanner.Caps(f.state(), config.retries(), () -> env.retryPermit(now)), now, env.random());
            if (decision instanceof RetryDecision.Retry retry) {
                steps.add(new Step.RetryGranted(governing.name(), f.state(), retry.tier()));
                steps.add(new Step.Wait(entry.waitingFor(attempt, retry.delay(), retry.dueAt()), Optional.of(retry.tier())));
                return;
            }
            final RetryDecision.GiveUp giveUp = (RetryDecision.GiveUp) decision;
            final InFlightEntry ended = entry.ended(attempt);
            if (entry.stage() > 0) {
                stepFailed(ended, primary, giveUp.reason() + ": " + terminals.text(giveUp.message()));
            } else {
                giveUp(ended, primary, Trigger.of(failure.category(), giveUp.reason(), terminals.text(giveUp.message())));
            }
        }

        /** The primary cannot answer: the first applicable fallback step runs, or the request is dead-lettered. */
        private void giveUp(final InFlightEntry entry, final TargetConfig primary, final Trigger why) {
            runChain(entry.because(why), primary, 0);
        }

        /** Fallback step {@code entry.stage()} could not answer: the chain goes on after it. */
        private void stepFailed(final InFlightEntry entry, final TargetConfig primary, final String error) {
            final FallbackStep step = stepAt(primary, entry.stage());
            final String name = step == null ? "removed" : step.servedBy();
            steps.add(new Step.FallbackUsed(primary.name(), name, "failed"));
            runChain(entry.stepFailed(new FallbackFailure(entry.stage(), name, terminals.text(error))), primary, entry.stage());
        }

        /**
         * Tries the fallback steps from index {@code from} on, in order, each only if the primary's
         * trigger is on its list: cache and static answer at once; a target step starts that
         * target's first call, and the chain goes on when that call ends.
         */
        private void runChain(final InFlightEntry start, final TargetConfig primary, final int from) {
            InFlightEntry entry = start;
            final Trigger why = entry.trigger();
            final RequestPolicy policy = policy(entry, primary); // a step the request's policy.fallback leaves out is passed over
            OptionalInt next = FallbackChain.next(primary.fallback(), from, why, policy::allowsStep);
            while (next.isPresent()) {
                final int index = next.getAsInt();
                final FallbackStep step = primary.fallback().get(index);
                final String error;
                if (step instanceof FallbackStep.Static st) {
                    steps.add(new Step.FallbackUsed(primary.name(), step.servedBy(), "served"));
                    terminal(entry, Step.Sink.RESULT, terminals.fallback(entry, step.servedBy(), st.value(), null, entry.attempts().size(), now),
                            AgentResult.FALLBACK, Optional.empty());
                    return;
                } else if (step instanceof FallbackStep.FromCache c) {
                    final String cacheKey = entry.agentRequest().effectiveCacheKey();
                    final Optional<Env.Cached> hit = env.cached(primary.name(), cacheKey, c.ttl(), now);
                    if (hit.isPresent()) {
                        steps.add(new Step.FallbackUsed(primary.name(), step.servedBy(), "served"));
                        terminal(entry, Step.Sink.RESULT, terminals.fallback(entry, step.servedBy(), hit.get().response(),
                                hit.get().httpStatus(), entry.attempts().size(), now), AgentResult.FALLBACK, Optional.empty());
                        return;
                    }
                    error = "no response of " + primary.name() + " younger than " + Durations.format(c.ttl())
                            + " for cache key '" + cacheKey + "'";
                } else {
                    final FallbackStep.ToTarget t = (FallbackStep.ToTarget) step;
                    final TargetConfig other = config.target(t.target()).orElse(null);
                    if (attemptBudgetSpent(entry)) {
                        error = "not called: " + attemptBudgetMessage();
                    } else if (other == null) {
                        error = "not called: target '" + t.target() + "' is no longer configured";
                    } else {
                        steps.add(new Step.FirstAttempt(other.name()));
                        begin(entry.atStep(index + 1));
                        return;
                    }
                }
                steps.add(new Step.FallbackUsed(primary.name(), step.servedBy(), "failed"));
                entry = entry.stepFailed(new FallbackFailure(index + 1, step.servedBy(), error));
                next = FallbackChain.next(primary.fallback(), index + 1, why, policy::allowsStep);
            }
            if (entry.fallbackFailed().isEmpty()) {
                terminal(entry, Step.Sink.DEAD_LETTER, terminals.gaveUp(entry, why, now), why.deadLetterReason().name(), Optional.empty());
            } else {
                terminal(entry, Step.Sink.DEAD_LETTER, terminals.fallbackFailed(entry, now), DeadLetterReason.FALLBACK_FAILED.name(),
                        Optional.empty());
            }
        }

        private void terminal(final InFlightEntry entry, final Step.Sink sink, final Object record, final String label,
                              final Optional<String> answeredBy) {
            steps.add(new Step.Terminal(sink, entry.key(), record, label, answeredBy, AgentRequest.replyTo(entry.request())));
        }

        /** The request's primary target, or {@code null} after dead-lettering it when the configuration no longer has it. */
        private TargetConfig primary(final InFlightEntry entry) {
            final TargetConfig primary = config.target(entry.agentRequest().target()).orElse(null);
            if (primary == null || !primary.requestable()) {
                terminal(entry, Step.Sink.DEAD_LETTER, terminals.targetGone(entry, now), DeadLetterReason.UNKNOWN_TARGET.name(), Optional.empty());
                return null;
            }
            return primary;
        }
    }

    /** The target the request's current stage calls, if the configuration still has one. */
    public Optional<String> callingTarget(final InFlightEntry entry) {
        return config.target(entry.agentRequest().target()).filter(TargetConfig::requestable)
                .map(p -> stageTarget(p, entry)).map(TargetConfig::name);
    }

    /** The target the current stage calls: the primary, or fallback step {@code stage}'s target ({@code null} if gone). */
    private TargetConfig stageTarget(final TargetConfig primary, final InFlightEntry entry) {
        if (entry.stage() == 0) {
            return primary;
        }
        return stepAt(primary, entry.stage()) instanceof FallbackStep.ToTarget t ? config.target(t.target()).orElse(null) : null;
    }

    /** The request's own policy under its primary's configuration: what it narrows. */
    private static RequestPolicy policy(final InFlightEntry entry, final TargetConfig primary) {
        return RequestPolicy.of(entry.request().get("policy"), primary);
    }

    private static Optional<FallbackStep.FromCache> cacheStep(final TargetConfig primary) {
        return primary.fallback().stream().filter(FallbackStep.FromCache.class::isInstance).map(FallbackStep.FromCache.class::cast)
                .findFirst();
    }

    /** Whether the request has made every call {@code limits.maxAttemptsPerRequest} allows, primary and fallbacks together. */
    private boolean attemptBudgetSpent(final InFlightEntry entry) {
        return entry.attempts().size() >= config.limits().maxAttemptsPerRequest();
    }

    private String attemptBudgetMessage() {
        return "the request's attempt budget (limits.maxAttemptsPerRequest = " + config.limits().maxAttemptsPerRequest() + ") is spent";
    }

    private static Trigger deadlineTrigger(final InFlightEntry entry) {
        // an attempt's category is an ErrorCategory by name (Terminals.attempt writes it)
        final ErrorCategory category = entry.attempts().isEmpty() ? ErrorCategory.TIMEOUT
                : ErrorCategory.valueOf(entry.attempts().get(entry.attempts().size() - 1).category());
        return new Trigger(category, FallbackReason.DEADLINE_EXCEEDED,
                "the deadline " + entry.deadline() + " passed before attempt " + entry.attempt() + " could start" + Terminals.parkedNote(entry));
    }
}
