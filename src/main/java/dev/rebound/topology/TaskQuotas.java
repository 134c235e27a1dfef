package dev.rebound.topology;

import dev.rebound.config.RateLimitPolicy;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ratelimit.Demand;
import dev.rebound.ratelimit.QuotaRecord;
import dev.rebound.ratelimit.TaskQuota;
import dev.rebound.ratelimit.TokenEstimate;
import dev.rebound.ratelimit.Usage;
import dev.rebound.request.AgentRequest;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A task's side of the cluster-wide rate limits: one {@link TaskQuota} per rate-limited target,
 * refreshed from the global quota store once a drain tick, the tokens each call reserves, and the
 * demands it sends the targets' owners. Targets without a limit cost nothing here. Stream-thread only.
 */
final class TaskQuotas {

    private final ReboundConfig config;
    private final KeyValueStore<String, QuotaRecord> store;
    private final String task;
    private final ReboundMetrics metrics;
    private final Map<String, TaskQuota> quotas = new HashMap<>();
    /**
     * Token estimates by request id: counting a large payload's tokens takes milliseconds, and a
     * parked request is asked again each time it tries to start. Bounded; a miss counts again.
     */
    private final Map<String, Long> estimates = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Long> eldest) {
            return size() > MAX_ESTIMATES;
        }
    };
    private static final int MAX_ESTIMATES = 10_000;
    /** The target each counted call runs against, so that its end is told to the right quota. */
    private final Map<String, List<String>> running = new HashMap<>();

    TaskQuotas(final ReboundConfig config, final KeyValueStore<String, QuotaRecord> store, final String task, final ReboundMetrics metrics) {
        this.config = config;
        this.store = store;
        this.task = task;
        this.metrics = metrics;
        for (final TargetConfig t : config.targets().values()) {
            if (t.rateLimit().clusterWide()) {
                quotas.put(t.name(), new TaskQuota(t.rateLimit()));
            }
        }
    }

    /** Whether {@code target} has a cluster-wide limit. */
    boolean limited(final String target) {
        return quotas.containsKey(target);
    }

    /** The tokens a call of this request reserves from {@code target}'s token limit: its {@code policy.tokens}, or an estimate. */
    long tokens(final String target, final InFlightEntry entry) {
        final TargetConfig t = config.target(target).orElse(null);
        if (t == null || t.rateLimit().tokensPerMinute() == 0 && config.owner(t).rateLimit().tokensPerMinute() == 0) {
            return 0;
        }
        final AgentRequest r = entry.agentRequest();
        final OptionalLong declared = r.declaredTokens();
        return declared.isPresent() ? declared.getAsLong() : estimates.computeIfAbsent(r.id(), id -> TokenEstimate.estimate(r.payload()));
    }

    /** Whether a call to {@code target} reserving {@code tokens} may start now (always, for a target without a limit). */
    boolean mayStart(final String target, final long tokens, final Instant now) {
        final TaskQuota q = quotas.get(target);
        return q == null || q.mayStart(tokens, now);
    }

    /** Request {@code id}'s call to {@code target} starts: its grant is spent and the call counted. */
    void start(final String id, final String target, final long tokens, final Instant now) {
        final TaskQuota q = quotas.get(target);
        if (q != null) {
            q.start(id, tokens, now);
            running.computeIfAbsent(id, k -> new ArrayList<>(2)).add(target);
        }
    }

    /** Request {@code id}'s call ended (or will never end here): settles its tokens, passes on what the provider said. */
    void ended(final String id, final String calledTarget, final CallOutcome outcome, final boolean called) {
        final List<String> targets = running.remove(id);
        if (targets == null) {
            return;
        }
        final OptionalLong used = outcome instanceof CallOutcome.Success s ? Usage.totalTokens(s.body()) : OptionalLong.empty();
        for (final String target : targets) {
            quotas.get(target).ended(id, used, called);
        }
        final TaskQuota own = quotas.get(calledTarget);
        if (outcome != null && own != null) {
            // what the provider says is about the deployment called: its own limit, never its pool's shared one
            own.heard(outcome.word());
        }
    }

    /** The call of request {@code id} will not end here (cancelled, or the request crashed). */
    void dropped(final String id) {
        ended(id, null, null, false);
    }

    /**
     * Once a drain tick: reads the owners' latest grants and sends each owner what this task waits
     * with, as far as a demand is due.
     */
    void tick(final SlotBacklog backlog, final OwnerMail mail, final Instant now) {
        for (final Map.Entry<String, TaskQuota> e : quotas.entrySet()) {
            final String target = e.getKey();
            final TaskQuota q = e.getValue();
            q.update(store.get(QuotaRecord.grantKey(target, task)), store.get(target), now);
            // requests for a pool wait in the pool's place: they ask its shared limit and each endpoint's
            final String at = config.target(target).map(config::owner).map(TargetConfig::name).orElse(target);
            final Demand d = q.demand(task, backlog.waiting(at), backlog.tokens(at), backlog.heads(at), now);
            if (d != null) {
                mail.demand(target, d);
            }
        }
    }

    /** Requests {@code target}'s rate limit has left in its window as its owner last said, {@code -1} without a limit. */
    long left(final String target) {
        if (!quotas.containsKey(target)) {
            return -1;
        }
        final QuotaRecord summary = store.get(target);
        return summary == null || summary.view() == null ? -1 : summary.view().requestsLeftInWindow();
    }

    /** How long a request parked for {@code target}'s rate limit waited, for the wait metric. */
    void waited(final String target, final InFlightEntry entry, final Instant now) {
        if (entry.parkedSince() != null && quotas.containsKey(target)) {
            metrics.rateLimitWait(target, entry.agentRequest().priority().label(), Duration.between(entry.parkedSince(), now));
        }
    }

    /** What a parked request waits for, in its dead letter if its deadline comes first. */
    static String rateLimitText(final TargetConfig t) {
        final RateLimitPolicy p = t.rateLimit();
        final StringBuilder b = new StringBuilder("the rate limit of ").append(t.name()).append(" (");
        String sep = "";
        if (p.requestsPerMinute() > 0) {
            b.append("requestsPerMinute ").append(p.requestsPerMinute());
            sep = ", ";
        }
        if (p.tokensPerMinute() > 0) {
            b.append(sep).append("tokensPerMinute ").append(p.tokensPerMinute());
            sep = ", ";
        }
        if (p.concurrency() > 0) {
            b.append(sep).append("concurrency ").append(p.concurrency());
        }
        return b.append(')').toString();
    }
}
