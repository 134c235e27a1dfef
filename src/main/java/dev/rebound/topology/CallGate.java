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
import java.util.Optional;
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

    /**
     * Whether a call to one endpoint of a pool would start at once for this request (a free slot, no
     * request of the pool before it, quota), without asking admission.
     */
    boolean startable(final String id, final TargetConfig endpoint, final InFlightEntry entry, final Instant now) {
        final SlotBacklog.Place place = place(endpoint.name(), id, entry);
        return dispatcher.freeSlot(endpoint.name()) && !backlog.hasAhead(key(endpoint), place)
                && quotaBlocks(endpoint, place.tokens(), now) == null;
    }

    /**
     * Where a request for {@code target} waits in the backlog: its pool's place for one endpoint of
     * a pool (it may go to whichever endpoint can take it first), else the target's own.
     */
    private String key(final TargetConfig target) {
        return config.owner(target).name();
    }

    /**
     * Whether {@code target} can take one more call now: a rate-limited one only into a free slot
     * (its quota must not wait in a line, where it would outlive its grant); any other into its
     * line while the line has room.
     */
    private boolean room(final TargetConfig target) {
        return quotas.limited(target.name()) || quotas.limited(config.owner(target).name())
                ? dispatcher.freeSlot(target.name()) : dispatcher.hasRoom(target.name());
    }

    /** The call to one callable target (a plain target or one endpoint of a pool). */
    Outcome callOne(final String id, final TargetConfig target, final InFlightEntry entry, final Duration timeout, final Instant now) {
        if (guard.admit(id, target, now) instanceof Admission.Defer defer) {
            metrics.admissionRefused(target.name(), defer.why().name().toLowerCase(Locale.ROOT));
            return new Refused(defer);
        }
        final SlotBacklog.Place place = place(target.name(), id, entry);
        final String key = key(target);
        final boolean room = room(target);
        final TargetConfig blocking = quotaBlocks(target, place.tokens(), now);
        if (!room || backlog.hasAhead(key, place) || blocking != null) {
            guard.forget(id);
            backlog.add(key, place);
            if (blocking != null) {
                return new Waits(TaskQuotas.rateLimitText(blocking));
            }
            return new Waits(room ? "its turn at " + key + " (requests before it in priority and arrival order)"
                    : "a free call slot of " + target.name() + " (maxInFlight " + target.maxInFlight() + ")");
        }
        backlog.remove(key, place);
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
     * {@code refused} gets each request's id and why, to go on as not admitted; for one endpoint of
     * a pool, {@code null}: its pool chooses again, and refuses only if no endpoint admits.
     */
    void recallRefused(final Instant now, final BiConsumer<String, Admission.Defer> refused) {
        for (final String name : dispatcher.waitingTargets()) {
            config.target(name).flatMap(t -> guard.refuses(t, now)).ifPresent(defer -> {
                final boolean endpoint = config.target(name).flatMap(TargetConfig::member).isPresent();
                for (final CallSpec spec : dispatcher.recall(name)) {
                    guard.forget(spec.requestId());
                    quotas.dropped(spec.requestId());
                    refused.accept(spec.requestId(), endpoint ? null : defer); // an endpoint's: its pool chooses again
                }
            });
        }
    }

    /** A restored parked request goes back into its target's (or pool's) backlog, in turn. */
    void park(final String target, final String id, final InFlightEntry entry) {
        backlog.add(target, place(target, id, entry));
    }

    /**
     * The rate limit that keeps a call to {@code target} from starting now: its own, or for an
     * endpoint its pool's shared one; {@code null} when both have quota for it.
     */
    private TargetConfig quotaBlocks(final TargetConfig target, final long tokens, final Instant now) {
        if (!quotas.mayStart(target.name(), tokens, now)) {
            return target;
        }
        final TargetConfig owner = config.owner(target);
        return owner == target || quotas.mayStart(owner.name(), tokens, now) ? null : owner;
    }

    /**
     * Resumes parked requests, in turn, while the one at the head of their target's backlog could
     * start, at most {@code max}; {@code resume} gets the target and the id.
     */
    void resume(final BiConsumer<String, String> resume, final int max, final Instant now) {
        backlog.resume((key, head) -> config.target(key).map(t -> t.kind() == TargetConfig.Kind.POOL
                ? t.pool().orElseThrow().endpoints().stream().map(config::target).flatMap(Optional::stream)
                        .anyMatch(e -> room(e) && quotaBlocks(e, head.tokens(), now) == null)
                : room(t) && quotaBlocks(t, head.tokens(), now) == null).orElse(true), resume, max);
    }

    private SlotBacklog.Place place(final String target, final String id, final InFlightEntry entry) {
        return SlotBacklog.Place.of(id, entry.firstSeenAt(), AgentRequest.priority(entry.request()), quotas.tokens(target, entry));
    }
}
