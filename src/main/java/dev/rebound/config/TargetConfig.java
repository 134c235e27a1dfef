package dev.rebound.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One entry of the targets allow-list. Only what is here (URL, method, headers) ever reaches the
 * network: a request names a target, never an address or a credential.
 *
 * @param name        the name requests use
 * @param kind        {@link Kind#CALL} for something callable, {@link Kind#GROUP} for a parent circuit only
 * @param parent      the parent group (a provider, a region), if any
 * @param url         the endpoint, http or https; absent for a group
 * @param method      the HTTP method (default POST)
 * @param headers     headers sent on every call; configuration, not secrets, unless listed in {@code secrets}
 * @param timeout     per-attempt timeout (default 30s)
 * @param maxInFlight concurrent calls per Rebound instance (default 64)
 * @param retry       the retry policy
 * @param budget      the retry budget
 * @param adaptive    adaptive retry
 * @param circuit     the circuit breaker
 * @param fallback    the fallback chain, tried in order when the target cannot answer (empty: none)
 * @param recovery    health checks and the traffic ramp after an outage, if configured
 * @param rateLimit   the cluster-wide rate limit ({@link RateLimitPolicy#NONE} for none)
 * @param pool        for a {@link Kind#POOL}: its endpoints and how calls are spread over them
 * @param member      for an endpoint of a pool: the pool, its name there and its weight
 * @param secrets     the values that are secrets (DESIGN §4): header values from environment
 *                    variables, credential headers, {@code secretHeaders}, {@code secretParams} of
 *                    the URL; masked in every text that came from outside, nothing else is
 */
public record TargetConfig(String name, Kind kind, Optional<String> parent, Optional<URI> url, String method,
                           Map<String, String> headers, Duration timeout, int maxInFlight, RetryPolicy retry,
                           BudgetPolicy budget, AdaptivePolicy adaptive, CircuitPolicy circuit, List<FallbackStep> fallback,
                           Optional<RecoveryPolicy> recovery, RateLimitPolicy rateLimit, Set<String> secrets,
                           Optional<Pool> pool, Optional<Pool.Member> member) {

    /** The methods a target may be called with; a request body goes with each. */
    public static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "GET", "DELETE");

    /**
     * Whether the target can be called ({@code CALL}), only groups other targets ({@code GROUP}),
     * or is a pool whose calls go to its endpoints ({@code POOL}; requests name it like a
     * {@code CALL} target).
     */
    public enum Kind { CALL, GROUP, POOL }

    public TargetConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        final String at = "targets." + name;
        if (kind == Kind.CALL && url.isEmpty()) {
            throw new ConfigException(at + ".url", "is required for a callable target (or set kind: group)");
        }
        url.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new ConfigException(at + ".url", "must be an http or https URL, was " + u);
            }
            if (u.getHost() == null) {
                throw new ConfigException(at + ".url", "has no host: " + u);
            }
        });
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigException(at + ".timeout", "must be positive, was " + timeout);
        }
        if (maxInFlight < 1 || maxInFlight > 10_000) {
            throw new ConfigException(at + ".maxInFlight", "must be between 1 and 10000, was " + maxInFlight);
        }
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(adaptive, "adaptive");
        Objects.requireNonNull(circuit, "circuit");
        headers = Map.copyOf(headers);
        if (kind == Kind.CALL && !METHODS.contains(method)) {
            throw new ConfigException(at + ".method", "must be one of " + new TreeSet<>(METHODS) + ", was '" + method + "'");
        }
        headers.forEach((h, v) -> {
            if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) {
                throw new ConfigException(at + ".headers." + h, "contains a line break or NUL, which would split the HTTP header");
            }
        });
        secrets = Set.copyOf(secrets);
        fallback = List.copyOf(fallback);
        Objects.requireNonNull(recovery, "recovery");
        Objects.requireNonNull(rateLimit, "rateLimit");
        if (kind == Kind.GROUP && (rateLimit.clusterWide() || rateLimit.adaptive())) {
            throw new ConfigException(at + ".rateLimit", "a group is never called; set the limit on the targets it groups");
        }
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(member, "member");
        if (pool.isPresent() != (kind == Kind.POOL)) {
            throw new ConfigException(at + ".endpoints", "a pool, and only a pool, has endpoints");
        }
        if (recovery.flatMap(RecoveryPolicy::probe).isPresent() && kind != Kind.CALL) {
            throw new ConfigException(at + ".recovery.probe", "a group cannot be called; give it a healthUrl instead");
        }
        if (recovery.isPresent() && (!circuit.enabled() || circuit.scope() != CircuitPolicy.Scope.CLUSTER)) {
            throw new ConfigException(at + ".recovery", "needs the cluster-wide circuit (circuit.enabled: true, scope: cluster): "
                    + "the task that owns the circuit runs the health checks and publishes the ramp");
        }
    }

    /** Whether requests may name this target: a callable target or a pool, not a group or one endpoint of a pool. */
    public boolean requestable() {
        return (kind == Kind.CALL || kind == Kind.POOL) && member.isEmpty();
    }

    /** Never prints header values: they hold API keys. */
    @Override
    public String toString() {
        return "TargetConfig[" + name + ", " + kind + ", url=" + url.map(URI::toString).orElse("-")
                + ", headers=" + headers.keySet().stream().sorted().map(h -> h + "=***").collect(Collectors.joining(",", "{", "}"))
                + ", timeout=" + timeout + ", maxInFlight=" + maxInFlight + ", retry=" + retry + ", budget=" + budget + "]";
    }
}
