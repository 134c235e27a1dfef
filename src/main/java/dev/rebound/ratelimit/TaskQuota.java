package dev.rebound.ratelimit;

import dev.rebound.config.RateLimitPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One task's side of one rate-limited target's quota: the grants it has seen (each usable for
 * {@link QuotaLedger#GRANT_LIFE} after it first saw it), its allowance of calls in flight, the
 * tokens each running call reserved, and what it has to tell the owner. Pure and single-threaded
 * (the stream thread): time is passed in.
 *
 * <p>A task that starts (or restarts after a crash or a rebalance) takes the grant totals it finds
 * as already seen: a grant its previous incarnation may have spent is never spent again.
 */
public final class TaskQuota {

    /** How often a task with requests waiting tells the owner. */
    static final Duration SPEAK_EVERY = Duration.ofMillis(100);
    /** How often a task with calls in flight and nothing waiting says it is alive. */
    static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private record Credit(long requests, long tokens, Instant expiresAt) {
    }

    private final RateLimitPolicy policy;
    private boolean started;
    private long seenSeq;
    private long seenRequests;
    private long seenTokens;
    private long epoch;
    private Instant pausedUntil;
    private final Deque<Credit> credits = new ArrayDeque<>();
    private int allowance;
    private int inFlight;
    private final Map<String, Long> reserved = new HashMap<>();
    private long settle;
    private ProviderWord word;
    private Instant spokeAt;
    private boolean spokeWaiting;
    private int spokeInFlight;
    private long spokeSeq;

    public TaskQuota(final RateLimitPolicy policy) {
        this.policy = policy;
    }

    /** Reads what the owner published: this task's grant record and the target's summary (either may be {@code null}). */
    public void update(final QuotaRecord mine, final QuotaRecord summary, final Instant now) {
        if (summary != null && summary.epoch() != epoch) {
            epoch = summary.epoch();
            credits.clear(); // the provider said stop: what was granted before must not be spent
        }
        pausedUntil = summary == null ? null : summary.pausedUntil();
        if (mine != null && (!started || mine.seq() > seenSeq)) {
            final long requests = mine.requests() - seenRequests;
            final long tokens = mine.tokens() - seenTokens;
            if (started && mine.epoch() == epoch && (requests > 0 || tokens > 0)) {
                credits.addLast(new Credit(Math.max(0, requests), Math.max(0, tokens), now.plus(QuotaLedger.GRANT_LIFE)));
            }
            seenSeq = mine.seq();
            seenRequests = mine.requests();
            seenTokens = mine.tokens();
            allowance = mine.allowance();
        }
        started = true;
    }

    /** Whether a call reserving {@code tokens} may start now. */
    public boolean mayStart(final long tokens, final Instant now) {
        expire(now);
        if (pausedUntil != null && now.isBefore(pausedUntil)) {
            return false; // the provider asked for a pause: whatever the limit counts
        }
        if (policy.concurrency() > 0 && inFlight >= allowance) {
            return false;
        }
        if (!countsUnits()) {
            return true;
        }
        long requests = 0;
        long tokensHeld = 0;
        for (final Credit c : credits) {
            requests += c.requests();
            tokensHeld += c.tokens();
        }
        return requests > 0 && (policy.tokensPerMinute() == 0 || tokensHeld >= tokens);
    }

    /** Request {@code id}'s call starts, reserving {@code tokens}: spends a grant (oldest first) and counts the call. */
    public void start(final String id, final long tokens, final Instant now) {
        if (countsUnits()) {
            long needRequests = 1;
            long needTokens = policy.tokensPerMinute() > 0 ? tokens : 0;
            while (!credits.isEmpty() && (needRequests > 0 || needTokens > 0)) {
                final Credit c = credits.pollFirst();
                final long r = Math.min(c.requests(), needRequests);
                final long t = Math.min(c.tokens(), needTokens);
                needRequests -= r;
                needTokens -= t;
                if (c.requests() - r > 0 || c.tokens() - t > 0) {
                    credits.addFirst(new Credit(c.requests() - r, c.tokens() - t, c.expiresAt()));
                    break;
                }
            }
        }
        inFlight++;
        reserved.put(id, policy.tokensPerMinute() > 0 ? tokens : 0);
    }

    /**
     * Request {@code id}'s call ended ({@code called}: it reached the target), with the tokens the
     * response reports if it does. A call never counted here is ignored, so this may be said twice.
     */
    public void ended(final String id, final OptionalLong used, final boolean called) {
        final Long r = reserved.remove(id);
        if (r == null) {
            return;
        }
        inFlight--;
        if (policy.tokensPerMinute() > 0) {
            if (used.isPresent()) {
                settle += used.getAsLong() - r;
            } else if (!called) {
                settle -= r; // never reached the target: nothing was used
            }
        }
    }

    /** The provider said something about its limits in a response: passed on with the next demand. */
    public void heard(final ProviderWord w) {
        if (w != null && w.saysAnything()) {
            word = w;
        }
    }

    /**
     * What to tell the owner now, or {@code null} when nothing is due: while requests wait, every
     * {@link #SPEAK_EVERY}; settlements and the provider's word at once (at most as often); once
     * when the waiting stops; a heartbeat while calls run.
     *
     * @param waiting requests waiting for quota here, by priority
     * @param tokens  the tokens they want, by priority
     * @param heads   the tokens the first of them wants, by priority
     */
    public Demand demand(final String task, final long[] waiting, final long[] tokens, final long[] heads, final Instant now) {
        long total = 0;
        for (final long w : waiting) {
            total += w;
        }
        final boolean recently = spokeAt != null && now.isBefore(spokeAt.plus(SPEAK_EVERY));
        // a change in the calls running counts as news: the owner lends concurrency by what it last heard;
        // so does a new allowance: the owner lends what it took back only once the task says it saw it
        final boolean news = settle != 0 || word != null || inFlight != spokeInFlight
                || policy.concurrency() > 0 && seenSeq != spokeSeq;
        final boolean due = (total > 0 || spokeWaiting || news) && !recently
                || (inFlight > 0 && (spokeAt == null || !now.isBefore(spokeAt.plus(HEARTBEAT))));
        if (!due) {
            return null;
        }
        final Demand d = new Demand(task, net(waiting, now), tokens, heads, inFlight, seenSeq, seenRequests, seenTokens, settle, word);
        settle = 0;
        word = null;
        spokeAt = now;
        spokeWaiting = total > 0;
        spokeInFlight = inFlight;
        spokeSeq = seenSeq;
        return d;
    }

    /** The waiting less the grants held, taken from the highest priority first: those grants will serve them. */
    private long[] net(final long[] waiting, final Instant now) {
        expire(now);
        long held = 0;
        for (final Credit c : credits) {
            held += c.requests();
        }
        final long[] out = waiting.clone();
        for (int i = 0; i < out.length && held > 0; i++) {
            final long n = Math.min(out[i], held);
            out[i] -= n;
            held -= n;
        }
        return out;
    }

    private void expire(final Instant now) {
        credits.removeIf(c -> !now.isBefore(c.expiresAt()));
    }

    private boolean countsUnits() {
        return policy.requestsPerMinute() > 0 || policy.tokensPerMinute() > 0;
    }

    public int inFlight() {
        return inFlight;
    }

    /** Grants held now (requests), for status. */
    public long held(final Instant now) {
        expire(now);
        return credits.stream().mapToLong(Credit::requests).sum();
    }
}
