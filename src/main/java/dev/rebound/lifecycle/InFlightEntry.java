package dev.rebound.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.fallback.Trigger;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Attempt;
import dev.rebound.request.FallbackFailure;
import dev.rebound.request.Source;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A request that has no terminal record yet, as kept in the in-flight store. It holds everything
 * needed to start the current attempt again after a crash or a rebalance, and to write the
 * terminal record: the record key, the original request, and the attempts so far.
 *
 * @param key            the {@code agent-calls} record key, reused for the terminal record
 * @param request        the request exactly as received
 * @param deadline       the absolute deadline fixed on arrival, or {@code null}
 * @param firstSeenAt    when Rebound first read the request
 * @param attempt        the number of the attempt currently running (1-based), counted over the
 *                       primary and every fallback target: the request's one attempt budget
 * @param attempts       failed attempts so far, oldest first, whichever target they called
 * @param source         where the request was read
 * @param dueAt          when the next attempt may start while the request waits in the delay path;
 *                       {@code null} while an attempt is running (or about to)
 * @param lastWaitMs     the previous wait, for decorrelated jitter; {@code null} before the first
 * @param stage          0 while the primary target is being called; {@code n} while fallback step
 *                       {@code n} (1-based) is
 * @param stageStart     the attempt number the current stage began with (0 is read as 1)
 * @param trigger        why the primary could not answer, once it could not; else {@code null}
 * @param fallbackFailed the fallback steps tried so far that could not answer
 * @param parks          how many times in a row the request was parked because its target had no room
 *                       here (no attempt spent, not a retry); 0 once it waits for anything else
 * @param parkedFor      while parked: what it waits for (room at the target, its rate limit), for the
 *                       dead letter if its deadline comes first; else {@code null}
 * @param parkedSince    while parked: when it was first parked in this run of parks; else {@code null}
 * @param deferredFor    while waiting because admission said no (a circuit open, an operator's switch, the
 *                       recovery ramp): admission's reason; else {@code null}. Kept so that
 *                       {@code rebound request} can tell a deferral from a retry, which look alike otherwise
 * @param calledAt       while an attempt runs: when it was asked for (after a restart, when it was started
 *                       again); else {@code null}. For {@code rebound request}: the call itself is not stored
 */
public record InFlightEntry(String key, JsonNode request, Instant deadline, Instant firstSeenAt, int attempt,
                            List<Attempt> attempts, Source source, Instant dueAt, Long lastWaitMs,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int stage,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int stageStart,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Trigger trigger,
                            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FallbackFailure> fallbackFailed,
                            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int parks,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String parkedFor,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Instant parkedSince,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String deferredFor,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Instant calledAt) {

    public InFlightEntry {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        fallbackFailed = fallbackFailed == null ? List.of() : List.copyOf(fallbackFailed);
    }

    public static InFlightEntry first(final String key, final AgentRequest request, final Instant now, final Source source) {
        return new InFlightEntry(key, request.original(), request.deadline(), now, 1, List.of(), source, null, null, 0, 0, null, null, 0, null, null, null, null);
    }

    public AgentRequest agentRequest() {
        return AgentRequest.restore(request, deadline);
    }

    /** Whether the request waits in the delay path (rather than having an attempt running). */
    public boolean waiting() {
        return dueAt != null;
    }

    /** The number of the current attempt within its stage: what the stage target's retry policy counts. */
    public int stageAttempt() {
        return attempt - Math.max(1, stageStart) + 1;
    }

    /** The number the next call will carry: one more than the calls made so far. */
    public int nextAttemptNumber() {
        return attempts.size() + 1;
    }

    /** The request after its last attempt failed for good: the attempt recorded, nothing next. */
    public InFlightEntry ended(final Attempt failed) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, append(failed), source, null, lastWaitMs, stage, stageStart,
                trigger, fallbackFailed, 0, null, null, null, null);
    }

    /** The request waiting {@code wait} for its next attempt, due at {@code due}. */
    public InFlightEntry waitingFor(final Attempt failed, final Duration wait, final Instant due) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt + 1, append(failed.followedBy(wait.toMillis())),
                source, due, wait.toMillis(), stage, stageStart, trigger, fallbackFailed, 0, null, null, null, null);
    }

    /** The request waiting, without an attempt spent, for admission ({@code why}: a circuit, a switch) to be asked again at {@code due}. */
    public InFlightEntry deferred(final Instant due, final String why) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, due, lastWaitMs, stage, stageStart,
                trigger, fallbackFailed, 0, null, null, why, null);
    }

    /** The request whose current attempt is asked for at {@code now} (its call starts, or waits for a slot). */
    public InFlightEntry calling(final Instant now) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, dueAt, lastWaitMs, stage, stageStart,
                trigger, fallbackFailed, parks, parkedFor, parkedSince, deferredFor, now);
    }

    /**
     * The request waiting, without an attempt spent, for {@code what} (room at its target, its rate
     * limit) until {@code due}; {@code since} is kept from the first park of a run.
     */
    public InFlightEntry parkedUntil(final Instant due, final String what, final Instant now) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, due, lastWaitMs, stage, stageStart,
                trigger, fallbackFailed, parks + 1, what, parks > 0 && parkedSince != null ? parkedSince : now, null, null);
    }

    /** Whether the request waits only because its target had no room (rather than for a retry or a circuit). */
    public boolean parked() {
        return waiting() && parks > 0;
    }

    /** The request whose wait is over: its next attempt starts now (a parked one keeps its count, to wait longer if parked again). */
    public InFlightEntry fired() {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, null, lastWaitMs, stage, stageStart,
                trigger, fallbackFailed, parks, parkedFor, parkedSince, null, null);
    }

    /** The primary could not answer: remember why, for the chain and the dead letter (the first reason stays). */
    public InFlightEntry because(final Trigger why) {
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, null, lastWaitMs, stage, stageStart,
                trigger == null ? why : trigger, fallbackFailed, 0, null, null, null, null);
    }

    /** The request moving to fallback step {@code step} (1-based), whose first call is the next attempt. */
    public InFlightEntry atStep(final int step) {
        final int next = nextAttemptNumber();
        return new InFlightEntry(key, request, deadline, firstSeenAt, next, attempts, source, null, null, step, next, trigger,
                fallbackFailed, 0, null, null, null, null);
    }

    /** Fallback step {@code failure.step()} could not answer. */
    public InFlightEntry stepFailed(final FallbackFailure failure) {
        final List<FallbackFailure> all = new ArrayList<>(fallbackFailed);
        all.add(failure);
        return new InFlightEntry(key, request, deadline, firstSeenAt, attempt, attempts, source, null, lastWaitMs, stage, stageStart,
                trigger, all, 0, null, null, null, null);
    }

    private List<Attempt> append(final Attempt a) {
        final List<Attempt> all = new ArrayList<>(attempts);
        all.add(a);
        return all;
    }
}
