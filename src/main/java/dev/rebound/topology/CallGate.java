package dev.rebound.topology;

import dev.rebound.circuit.Admission;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.CallSpec;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.AgentRequest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Whether a request's call starts now in this task, and its start: the target must admit it (its
 * circuits and switches, {@link CircuitGuard}), have room here, have no request waiting before it in
 * turn (priority, then arrival), and its rate limit must have quota for it. One that is not admitted
 * or must wait is told why; one that waits is parked in the {@link SlotBacklog}. Attempts admitted
 * before their target began to refuse calls are recalled from the dispatcher's lines.
 * Stream-thread only.
 */
final class CallGate {

    /** What became of a call that was asked for. */
    sealed interface Outcome {
    }

    /** Submitted to the dispatcher: it runs, or waits in line for a slot. */
    record Started() implements Outcome {
    }

    /** The target does not admit it now. */
    record Refused(Admission.Defer defer) implements Outcome {
    }

    /** Admitted, but it must wait: {@code what} it waits for, for its dead letter if its deadline comes first. */
    record Waits(String what) implements Outcome {
    }

    private static final Started STARTED = new Started();

    private final ReboundConfig config;
    private final CallDispatcher dispatcher;
    private final CircuitGuard guard;
    private final TaskQuotas quotas;
    private final ReboundMetrics metrics;
    private final SlotBacklog backlog = new SlotBacklog();

    CallGate(final ReboundConfig config, final CallDispatcher dispatcher, final CircuitGuard guard, final TaskQuotas quotas,
             final ReboundMetrics metrics) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.guard = guard;
        this.quotas = quotas;
        this.metrics = metrics;
    }

    /** The requests waiting here, by target and priority: what this task tells the rate limits' owners. */
    SlotBacklog backlog() {
        return backlog;
    }

    /** Asks for request {@code id}'s call to {@code target}, with at most {@code timeout}; starts it if it may. */
    Outcome call(final String id, final TargetConfig target, final InFlightEntry entry, final Duration timeout, final Instant now) {
        if (guard.admit(id, target, now) instanceof Admission.Defer defer) {
            metrics.admissionRefused(target.name(), defer.why().name().toLowerCase(Locale.ROOT));
            return new Refused(defer);
        }
        final SlotBacklog.Place place = place(target.name(), id, entry);
        final boolean room = dispatcher.hasRoom(target.name());
        if (!room || backlog.hasAhead(target.name(), place) || !quotas.mayStart(target.name(), place.tokens(), now)) {
            guard.forget(id);
            backlog.add(target.name(), place);
            return new Waits(!room || !quotas.limited(target.name())
                    ? "a free call slot of " + target.name() + " (maxInFlight " + target.maxInFlight() + ")" : TaskQuotas.rateLimitText(target));
        }
        backlog.remove(target.name(), place);
        quotas.waited(target.name(), entry, now);
        quotas.start(id, target.name(), place.tokens(), now);
        final byte[] body = entry.agentRequest().payload().toString().getBytes(StandardCharsets.UTF_8);
        final Duration untilDeadline = entry.deadline() == null ? timeout : Duration.between(now, entry.deadline());
        dispatcher.submit(new CallSpec(id, target.name(), entry.attempt(), body, timeout, untilDeadline));
        return STARTED;
    }

    /** Request {@code id}'s call will not end here after all (cancelled, or the request crashed). */
    void drop(final String id) {
        dispatcher.cancel(id);
        guard.forget(id);
        quotas.dropped(id);
    }

    /**
     * Takes back the attempts still waiting in line for a target that refuses calls now (its circuit
     * opened, an operator disabled it, after they were admitted): they are not called, and
     * {@code refused} gets each request's id and why, to go on as not admitted.
     */
    void recallRefused(final Instant now, final BiConsumer<String, Admission.Defer> refused) {
        for (final String name : dispatcher.waitingTargets()) {
            config.target(name).flatMap(t -> guard.refuses(t, now)).ifPresent(defer -> {
                for (final CallSpec spec : dispatcher.recall(name)) {
                    guard.forget(spec.requestId());
                    quotas.dropped(spec.requestId());
                    refused.accept(spec.requestId(), defer);
                }
            });
        }
    }

    /** A restored parked request goes back into its target's backlog, in turn. */
    void park(final String target, final String id, final InFlightEntry entry) {
        backlog.add(target, place(target, id, entry));
    }

    /**
     * Resumes parked requests, in turn, while the one at the head of their target's backlog could
     * start, at most {@code max}; {@code resume} gets the target and the id.
     */
    void resume(final BiConsumer<String, String> resume, final int max, final Instant now) {
        backlog.resume((target, head) -> dispatcher.hasRoom(target) && quotas.mayStart(target, head.tokens(), now), resume, max);
    }

    private SlotBacklog.Place place(final String target, final String id, final InFlightEntry entry) {
        return SlotBacklog.Place.of(id, entry.firstSeenAt(), AgentRequest.priority(entry.request()), quotas.tokens(target, entry));
    }
}
