package dev.rebound.topology;

import dev.rebound.balance.Balancer;
import dev.rebound.circuit.Admission;
import dev.rebound.config.Pool;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.Attempt;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * A task's calls to pools (DESIGN §5): each call goes to one endpoint. The pool's {@link Balancer}
 * orders the endpoints (those the request has not tried first); those that refuse calls now (an
 * open or probing circuit, FAILED health, an operator's switch, this task's breaker) are skipped;
 * the first of the others that can start now (room, turn, quota) gets the call, and the balance
 * hears which. When every endpoint admits calls but none can start now, the request waits at the
 * first; when none admits calls, the pool does not either, and the request goes on as not admitted
 * (its fallback chain, or the delay path), saying why for each endpoint. Stream-thread only.
 */
final class PoolRouter {

    private final ReboundConfig config;
    private final CallGate gate;
    private final CircuitGuard guard;
    private final TaskQuotas quotas;
    private final CallDispatcher dispatcher;
    private final RandomGenerator random;
    private final Map<String, Balancer> balancers = new HashMap<>();

    PoolRouter(final ReboundConfig config, final CallGate gate, final CircuitGuard guard, final TaskQuotas quotas,
               final CallDispatcher dispatcher, final RandomGenerator random) {
        this.config = config;
        this.gate = gate;
        this.guard = guard;
        this.quotas = quotas;
        this.dispatcher = dispatcher;
        this.random = random;
    }

    CallGate.Outcome call(final String id, final TargetConfig pool, final InFlightEntry entry, final Duration timeout, final Instant now) {
        final Balancer balancer = balancer(pool);
        final Set<String> tried = entry.attempts().stream().map(Attempt::target).collect(Collectors.toSet());
        final List<String> order = balancer.order(tried, dispatcher::running, quotas::left);
        final Set<String> eligible = new LinkedHashSet<>();
        final Map<String, Admission.Defer> refused = new LinkedHashMap<>();
        for (final String name : order) {
            final TargetConfig endpoint = config.target(name).orElseThrow();
            final Optional<Admission.Defer> no = guard.refuses(endpoint, now);
            if (no.isPresent()) {
                refused.put(name, no.get());
            } else {
                eligible.add(name);
            }
        }
        for (final String name : eligible) {
            final TargetConfig endpoint = config.target(name).orElseThrow();
            if (!gate.startable(id, endpoint, entry, now)) {
                continue;
            }
            final CallGate.Outcome o = gate.callOne(id, endpoint, entry, shorter(timeout, endpoint.timeout()), now);
            if (o instanceof CallGate.Refused r) {
                refused.put(name, r.defer()); // its ramp did not draw this request, or its probes are taken
                continue;
            }
            if (o instanceof CallGate.Started) {
                balancer.chosen(name, eligible);
            }
            return o;
        }
        // every endpoint that admits is busy: the request waits for the pool's next free slot, unless
        // none will take it after all (a ramp that did not draw it, probes taken)
        for (final String name : eligible) {
            if (refused.containsKey(name)) {
                continue;
            }
            final TargetConfig endpoint = config.target(name).orElseThrow();
            final CallGate.Outcome o = gate.callOne(id, endpoint, entry, shorter(timeout, endpoint.timeout()), now);
            if (!(o instanceof CallGate.Refused r)) {
                return o;
            }
            refused.put(name, r.defer());
        }
        return new CallGate.Refused(combined(pool, refused, now));
    }

    /** Why a pool does not admit a call: every endpoint's reason; disabled only if every endpoint is. */
    static Admission.Defer combined(final TargetConfig pool, final Map<String, Admission.Defer> refused, final Instant now) {
        Instant until = null;
        boolean allDisabled = !refused.isEmpty();
        final StringBuilder why = new StringBuilder("no endpoint of ").append(pool.name()).append(" admits calls: ");
        String sep = "";
        for (final Map.Entry<String, Admission.Defer> e : refused.entrySet()) {
            final Admission.Defer d = e.getValue();
            until = until == null || d.until().isBefore(until) ? d.until() : until;
            allDisabled &= d.why() == Admission.Why.DISABLED;
            why.append(sep).append(e.getKey()).append(": ").append(d.reason());
            sep = "; ";
        }
        return new Admission.Defer(until == null ? now.plusSeconds(1) : until, why.toString(),
                allDisabled ? Admission.Why.DISABLED : Admission.Why.CIRCUIT);
    }

    /** An endpoint's own {@code timeout} can shorten the pool's (and the request's), never lengthen them. */
    private static Duration shorter(final Duration a, final Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** A call to {@code endpoint} took {@code millis}: its pool's balance learns its latency. */
    void observed(final TargetConfig endpoint, final long millis) {
        endpoint.member().map(m -> balancers.get(m.pool())).ifPresent(b -> b.observed(endpoint.name(), millis));
    }

    private Balancer balancer(final TargetConfig pool) {
        return balancers.computeIfAbsent(pool.name(), p -> {
            final Map<String, Integer> weights = new LinkedHashMap<>();
            for (final String e : pool.pool().map(Pool::endpoints).orElse(List.of())) {
                weights.put(e, config.target(e).flatMap(TargetConfig::member).map(Pool.Member::weight).orElse(1));
            }
            return new Balancer(pool.pool().map(Pool::balance).orElse(Pool.Balance.WEIGHTED), weights, random);
        });
    }
}
