package dev.rebound.balance;

import dev.rebound.config.Pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;

/**
 * One task's balancing of one pool: the order in which a call tries the pool's endpoints. The
 * endpoints the request has not tried yet come first (a retry prefers another endpoint, as Envoy's
 * {@code previous_hosts}), each group ordered by the pool's {@link Pool.Balance}:
 * <ul>
 *   <li>{@code weighted}: smooth weighted round robin (nginx's): over any run of picks each
 *       endpoint's share is exact to within one pick, with no random drift; an endpoint that does
 *       not admit calls is left out of the round, so the others share its part by their weights;</li>
 *   <li>{@code least-loaded}: the fewest calls in flight (from this instance), then the most quota
 *       left when the endpoints have rate limits, then the higher weight, then in turn;</li>
 *   <li>{@code latency}: the lowest median of the last {@link #LATENCY_SAMPLES} calls (an endpoint
 *       with none yet first, to learn it), except for a share {@link #EXPLORE} of calls, which
 *       go to the endpoints in random order so that a recovered endpoint is noticed.</li>
 * </ul>
 * The caller tries the endpoints in that order and reports the one it chose ({@link #chosen}).
 * Not thread-safe: one per task and pool, on the stream thread.
 */
public final class Balancer {

    /** The share of calls that explore under {@code latency}. */
    public static final double EXPLORE = 0.1;
    /** Calls remembered per endpoint for its median latency. */
    public static final int LATENCY_SAMPLES = 64;

    private final Pool.Balance strategy;
    private final Map<String, Integer> weights = new LinkedHashMap<>();
    private final Map<String, Long> current = new HashMap<>();
    private final Map<String, long[]> latencies = new HashMap<>();
    private final Map<String, Integer> seen = new HashMap<>();
    private final RandomGenerator random;
    private int turn;

    /** @param weights each endpoint's target name and weight, in configuration order */
    public Balancer(final Pool.Balance strategy, final Map<String, Integer> weights, final RandomGenerator random) {
        this.strategy = strategy;
        this.weights.putAll(weights);
        this.random = random;
        weights.keySet().forEach(e -> current.put(e, 0L));
    }

    /**
     * The endpoints in the order to try them: untried first.
     *
     * @param tried     the endpoints the request's earlier attempts called
     * @param inFlight  calls in flight to an endpoint now
     * @param quotaLeft requests an endpoint's rate limit has left ({@code -1}: no limit, or not known)
     */
    public List<String> order(final Set<String> tried, final ToIntFunction<String> inFlight, final ToLongFunction<String> quotaLeft) {
        final List<String> fresh = new ArrayList<>();
        final List<String> again = new ArrayList<>();
        for (final String e : weights.keySet()) {
            (tried.contains(e) ? again : fresh).add(e);
        }
        turn++;
        final boolean explore = strategy == Pool.Balance.LATENCY && random.nextDouble() < EXPLORE;
        sort(fresh, inFlight, quotaLeft, explore);
        sort(again, inFlight, quotaLeft, explore);
        fresh.addAll(again);
        return fresh;
    }

    private void sort(final List<String> endpoints, final ToIntFunction<String> inFlight, final ToLongFunction<String> quotaLeft,
                      final boolean explore) {
        final List<String> all = List.copyOf(weights.keySet());
        final Comparator<String> inTurn = Comparator.comparingInt(e -> Math.floorMod(all.indexOf(e) - turn, all.size()));
        switch (strategy) {
            case WEIGHTED -> endpoints.sort(Comparator.<String>comparingLong(e -> -(current.get(e) + weights.get(e))).thenComparing(all::indexOf));
            case LEAST_LOADED -> endpoints.sort(Comparator.<String>comparingInt(inFlight)
                    // no limit (-1) is as good as any quota left
                    .thenComparing(Comparator.<String>comparingLong(e -> quotaLeft.applyAsLong(e) < 0 ? Long.MAX_VALUE
                            : quotaLeft.applyAsLong(e)).reversed())
                    .thenComparing(Comparator.<String>comparingInt(weights::get).reversed())
                    .thenComparing(inTurn));
            case LATENCY -> {
                if (explore) {
                    for (int i = endpoints.size() - 1; i > 0; i--) {
                        final int j = random.nextInt(i + 1);
                        endpoints.set(i, endpoints.set(j, endpoints.get(i)));
                    }
                } else {
                    endpoints.sort(Comparator.<String>comparingLong(this::median).thenComparing(inTurn));
                }
            }
            default -> throw new IllegalStateException(strategy.name());
        }
    }

    /**
     * The call went to {@code endpoint}; {@code eligible} are the endpoints that would have taken
     * it (those admitting calls now). Under {@code weighted} this moves the round on.
     */
    public void chosen(final String endpoint, final Set<String> eligible) {
        if (strategy != Pool.Balance.WEIGHTED || !weights.containsKey(endpoint)) {
            return;
        }
        long total = 0;
        for (final String e : eligible) {
            final Integer w = weights.get(e);
            if (w != null) {
                current.merge(e, (long) w, Long::sum);
                total += w;
            }
        }
        current.merge(endpoint, -total, Long::sum);
    }

    /** A call to {@code endpoint} took {@code millis}: for {@code latency}. */
    public void observed(final String endpoint, final long millis) {
        if (strategy != Pool.Balance.LATENCY || !weights.containsKey(endpoint)) {
            return;
        }
        final long[] ring = latencies.computeIfAbsent(endpoint, e -> new long[LATENCY_SAMPLES]);
        final int n = seen.merge(endpoint, 1, Integer::sum);
        ring[(n - 1) % LATENCY_SAMPLES] = Math.max(0, millis);
    }

    /** The median of the endpoint's recent calls in ms, {@link Long#MIN_VALUE} before any. */
    long median(final String endpoint) {
        final int n = Math.min(seen.getOrDefault(endpoint, 0), LATENCY_SAMPLES);
        if (n == 0) {
            return Long.MIN_VALUE;
        }
        final long[] copy = Arrays.copyOf(latencies.get(endpoint), n);
        Arrays.sort(copy);
        return copy[n / 2];
    }
}
