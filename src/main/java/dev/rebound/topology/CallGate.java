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
import java.util.random.RandomGenerator;

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
    private final PoolRouter pools;

    CallGate(final ReboundConfig config, final CallDispatcher dispatcher, final CircuitGuard guard, final TaskQuotas quotas,
             final ReboundMetrics metrics, final RandomGenerator random) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.guard = guard;
        this.quotas = quotas;
        this.metrics = metrics;
        this.pools = new PoolRouter(config, this, guard, quotas, dispatcher, random);
    }

    /** The requests waiting here, by target and priority: what this task tells the rate limits' owners. */
    SlotBacklog backlog() {
        return backlog;
    }

    /**
     * Asks for request {@code id}'s call to {@code target} (for a pool: to the endpoint its balance
     * chooses among those that admit calls), with at most {@code timeout}; starts it if it may.
     */
    Outcome call(final String id, final TargetConfig target, final InFlightEntry entry, final Duration timeout, final Instant now) {
        return target.kind() == TargetConfig.Kind.POOL ? pools.call(id, target, entry, timeout, now) : callOne(id, target, entry, timeout, now);
    }

    /** Whether a call to {@code target} (one endpoint, or a plain target) could start now for this request, without asking admission. */
    boolean startable(final String id, final TargetConfig target, final InFlightEntry entry, final Instant now) {
        final SlotBacklog.Place place = place(target.name(), id, entry);
        return dispatcher.hasRoom(target.name()) && !backlog.hasAhead(target.name(), place) && quotaAllows(target, place.tokens(), now);
    }

    /** The call to one callable target (a plain target or one endpoint of a pool). */
    Outcome callOne(final String id, final TargetConfig target, final InFlightEntry entry, final Duration timeout, final Instant now) {
        if (guard.admit(id, target, now) instanceof Admission.Defer defer) {
            metrics.admissionRefused(target.name(), defer.why().name().toLowerCase(Locale.ROOT));
            return new Refused(defer);
        }
        final SlotBacklog.Place place = place(target.name(), id, entry);
        final boolean room = dispatcher.hasRoom(target.name());
        if (!room || backlog.hasAhead(target.name(), place) || !quotaAllows(target, place.tokens(), now)) {
            guard.forget(id);
            backlog.add(target.name(), place);
            final TargetConfig limited = quotas.limited(target.name()) ? target : config.owner(target);
            return new Waits(!room || !quotas.limited(limited.name())
                    ? "a free call slot of " + target.name() + " (maxInFlight " + target.maxInFlight() + ")" : TaskQuotas.rateLimitText(limited));
        }
        backlog.remove(target.name(), place);
        quotas.waited(target.name(), entry, now);
        quotas.start(id, target.name(), place.tokens(), now);
        final TargetConfig owner = config.owner(target);
        if (owner != target) {
            quotas.start(id, owner.name(), place.tokens(), now); // the pool's shared limit, spent with the endpoint's
        }
        final byte[] body = entry.agentRequest().payload().toString().getBytes(StandardCharsets.UTF_8);
        final Duration untilDeadline = entry.deadline() == null ? timeout : Duration.between(now, entry.deadline());
        dispatcher.submit(new CallSpec(id, target.name(), entry.attempt(), body, timeout, untilDeadline));
        return STARTED;
    }

    /** A call to {@code target} took {@code millis}: a pool balancing by latency learns it. */
    void observed(final TargetConfig target, final long millis) {
        pools.observed(target, millis);
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

    /**
     * A restored parked request goes back into its target's backlog, in turn; one for a pool is not
     * (it chooses its endpoint again when it goes on), and {@code false} says so.
     */
    boolean park(final String target, final String id, final InFlightEntry entry) {
        if (config.target(target).filter(t -> t.kind() == TargetConfig.Kind.POOL).isPresent()) {
            return false;
        }
        backlog.add(target, place(target, id, entry));
        return true;
    }

    /** A call to {@code target} may spend its rate limit's quota and, for an endpoint, its pool's shared one. */
    private boolean quotaAllows(final TargetConfig target, final long tokens, final Instant now) {
        final TargetConfig owner = config.owner(target);
        return quotas.mayStart(target.name(), tokens, now) && (owner == target || quotas.mayStart(owner.name(), tokens, now));
    }

    /**
     * Resumes parked requests, in turn, while the one at the head of their target's backlog could
     * start, at most {@code max}; {@code resume} gets the target and the id.
     */
    void resume(final BiConsumer<String, String> resume, final int max, final Instant now) {
        backlog.resume((target, head) -> dispatcher.hasRoom(target)
                && config.target(target).map(t -> quotaAllows(t, head.tokens(), now)).orElse(true), resume, max);
    }

    private SlotBacklog.Place place(final String target, final String id, final InFlightEntry entry) {
        return SlotBacklog.Place.of(id, entry.firstSeenAt(), AgentRequest.priority(entry.request()), quotas.tokens(target, entry));
    }
}
