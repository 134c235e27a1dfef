package dev.rebound.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a pool ({@code endpoints:} on a target, DESIGN §5) into the pool's own target and one
 * target per endpoint, named {@code <pool>/<endpoint>}. An endpoint takes its {@code url},
 * {@code headers} (over the pool's), {@code weight}, {@code rateLimit}, {@code timeout} and
 * {@code maxInFlight} from its entry, everything else (retry, budget, circuit, recovery, method)
 * from the pool; its parent is the pool, so an operator's switch on the pool holds for every
 * endpoint. The pool keeps its fallback chain and a cluster-wide {@code rateLimit} for all of its
 * endpoints together; its health checks are its endpoints'.
 */
final class PoolLoader {

    /** What every endpoint inherits from its pool. */
    record Common(String pool, Optional<String> parent, String method, Map<String, String> headers, Duration timeout,
                  int maxInFlight, RetryPolicy retry, BudgetPolicy budget, AdaptivePolicy adaptive, CircuitPolicy circuit,
                  List<FallbackStep> fallback, Optional<RecoveryPolicy> recovery, RateLimitPolicy rateLimit) {
    }

    private PoolLoader() {
    }

    /** The pool's target first, then its endpoints' in configuration order. */
    static List<TargetConfig> expand(final Common c, final Section s, final Map<String, Set<String>> fromEnv) {
        final String at = s.path("endpoints");
        final JsonNode list = s.raw("endpoints");
        if (!list.isArray() || list.isEmpty()) {
            throw new ConfigException(at, "must be a non-empty list of { name, url, headers, weight, rateLimit, timeout }");
        }
        final Pool.Balance balance = s.optionalString("balance").map(b -> Pool.Balance.of(b.trim()).orElseThrow(
                () -> new ConfigException(s.path("balance"), "must be weighted, least-loaded or latency, was '" + b + "'")))
                .orElse(Pool.Balance.WEIGHTED);
        final List<TargetConfig> endpoints = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        final Set<String> secrets = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            final Section e = new Section(at + "[" + i + "]", list.get(i));
            final String name = e.optionalString("name").orElseThrow(() -> new ConfigException(e.path("name"), "is required"));
            if (!name.matches("[A-Za-z0-9._-]{1,50}")) {
                throw new ConfigException(e.path("name"), "may only contain letters, digits, '.', '_' and '-' (1..50), was '" + name + "'");
            }
            if (!names.add(name)) {
                throw new ConfigException(e.path("name"), "'" + name + "' names two endpoints of " + c.pool());
            }
            final URI url = ConfigLoader.uri(e.path("url"), e.optionalString("url").orElseThrow(
                    () -> new ConfigException(e.path("url"), "is required")));
            final int weight = e.intOr("weight", 1);
            if (weight < 1 || weight > Pool.Member.MAX_WEIGHT) {
                throw new ConfigException(e.path("weight"), "must be between 1 and " + Pool.Member.MAX_WEIGHT + ", was " + weight);
            }
            final Map<String, String> headers = new LinkedHashMap<>(c.headers());
            headers.putAll(e.map("headers"));
            final RateLimitPolicy own = e.optionalSection("rateLimit").map(r -> ConfigLoader.within(e.parentPath(),
                    () -> ConfigLoader.rateLimit(r))).orElse(RateLimitPolicy.NONE);
            final RateLimitPolicy rateLimit = new RateLimitPolicy(own.requestsPerMinute(), own.tokensPerMinute(), own.concurrency(),
                    own.adaptive() || c.rateLimit().adaptive());
            final Set<String> own2 = TargetSecrets.of(e.path("headers"), headers, e.stringList("secretHeaders", List.of()),
                    Optional.of(url), e.stringList("secretParams", List.of()), fromEnv);
            secrets.addAll(own2);
            final Pool.Member member = new Pool.Member(c.pool(), name, weight);
            endpoints.add(new TargetConfig(member.target(), TargetConfig.Kind.CALL, Optional.of(c.pool()), Optional.of(url), c.method(),
                    headers, e.durationOr("timeout", c.timeout()), e.intOr("maxInFlight", c.maxInFlight()), c.retry(), c.budget(),
                    c.adaptive(), c.circuit(), List.of(), c.recovery(), rateLimit, own2, Optional.empty(), Optional.of(member)));
            e.done();
        }
        final RateLimitPolicy shared = new RateLimitPolicy(c.rateLimit().requestsPerMinute(), c.rateLimit().tokensPerMinute(),
                c.rateLimit().concurrency(), false);
        final List<TargetConfig> out = new ArrayList<>();
        out.add(new TargetConfig(c.pool(), TargetConfig.Kind.POOL, c.parent(), Optional.empty(), c.method(), c.headers(), c.timeout(),
                c.maxInFlight(), c.retry(), c.budget(), c.adaptive(), c.circuit(), c.fallback(), Optional.empty(), shared, secrets,
                Optional.of(new Pool(endpoints.stream().map(TargetConfig::name).toList(), balance)), Optional.empty()));
        out.addAll(endpoints);
        return out;
    }
}
