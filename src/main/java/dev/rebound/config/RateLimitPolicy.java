package dev.rebound.config;

/**
 * A target's rate limit for the whole application (DESIGN §5, §7): however many instances and
 * partitions run, the target's owner task hands out the quota, so the limit holds for the cluster,
 * not per worker. Zero means no limit of that kind.
 *
 * @param requestsPerMinute calls started per minute, over any 60 s (0: none)
 * @param tokensPerMinute   tokens per minute, reserved when a call starts ({@code policy.tokens} or
 *                          an estimate) and settled against the usage the response reports (0: none)
 * @param concurrency       calls in flight across the cluster (0: none)
 * @param adaptive          {@code concurrency: auto}: each instance keeps a limit on its calls in
 *                          flight to the target that shrinks when calls fail or slow down and
 *                          grows when they succeed, up to {@code maxInFlight}
 */
public record RateLimitPolicy(int requestsPerMinute, long tokensPerMinute, int concurrency, boolean adaptive) {

    public static final RateLimitPolicy NONE = new RateLimitPolicy(0, 0, 0, false);

    /** The largest limit of each kind: far above any provider's, far below an overflow. */
    public static final long MAX = 1_000_000_000L;

    public RateLimitPolicy {
        check("requestsPerMinute", requestsPerMinute);
        check("tokensPerMinute", tokensPerMinute);
        check("concurrency", concurrency);
    }

    /** Whether the owner task hands out quota for this target: some cluster-wide limit is set. */
    public boolean clusterWide() {
        return requestsPerMinute > 0 || tokensPerMinute > 0 || concurrency > 0;
    }

    private static void check(final String field, final long value) {
        if (value < 0 || value > MAX) {
            throw new ConfigException("rateLimit." + field, "must be between 1 and " + MAX + " (or absent for no limit), was " + value);
        }
    }
}
