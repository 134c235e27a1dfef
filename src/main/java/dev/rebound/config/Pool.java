package dev.rebound.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A target that is a pool (DESIGN §5): one logical target, several deployments, keys or regions.
 * Requests name the pool; each call goes to one of its endpoints, chosen by {@link #balance}.
 * Each endpoint is a target of its own named {@code <pool>/<endpoint>}, with its own circuit,
 * health checks, ramp and rate limit, nested under the pool in the hierarchy.
 *
 * @param endpoints the endpoints' target names, in configuration order
 * @param balance   how a call's endpoint is chosen
 */
public record Pool(List<String> endpoints, Balance balance) {

    public Pool {
        endpoints = List.copyOf(endpoints);
    }

    /** How a pool spreads its calls. */
    public enum Balance {
        /** By weight, exactly over time (smooth weighted round robin), among the endpoints that admit calls. */
        WEIGHTED,
        /** To the endpoint with the fewest calls in flight from this instance (the most quota left when limits are set). */
        LEAST_LOADED,
        /** To the endpoint with the lowest recent median latency, keeping a share for exploration. */
        LATENCY;

        /** As the configuration spells it: {@code weighted}, {@code least-loaded}, {@code latency}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optional<Balance> of(final String text) {
            for (final Balance b : values()) {
                if (b.label().equals(text)) {
                    return Optional.of(b);
                }
            }
            return Optional.empty();
        }
    }

    /** An endpoint's place in its pool: the pool's name, its own name and its weight. */
    public record Member(String pool, String endpoint, int weight) {

        public static final int MAX_WEIGHT = 1_000;

        /** The endpoint target's name: {@code <pool>/<endpoint>}. */
        public String target() {
            return name(pool, endpoint);
        }
    }

    /** An endpoint target's name. */
    public static String name(final String pool, final String endpoint) {
        return pool + "/" + endpoint;
    }
}
