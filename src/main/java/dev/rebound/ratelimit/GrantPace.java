package dev.rebound.ratelimit;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import dev.rebound.config.RateLimitPolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How fast a target's owner may grant (part of {@link QuotaLedger}): a bucket per kind refilled at
 * {@code limit / WINDOW} per second up to a second's worth, and the grants of each second over the
 * last {@link QuotaLedger#WINDOW}, of which there may never be more than the limit. Token
 * settlements count in the second they arrive. Pure; kept in the owner's store with its ledger.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
final class GrantPace {

    /** One second's grants (and settlements), for the window. */
    record Slot(long second, long requests, long tokens) {
    }

    private boolean filled;
    private double requestBucket;
    private double tokenBucket;
    private Instant refilledAt;
    private Deque<Slot> slots = new ArrayDeque<>();

    /** Tops the buckets up for the time since the last refill; full the first time. */
    void refill(final RateLimitPolicy p, final Instant now) {
        final double seconds = refilledAt == null ? 0 : Math.max(0, Duration.between(refilledAt, now).toMillis() / 1000.0);
        refilledAt = now;
        if (!filled) {
            filled = true;
            requestBucket = burst(p.requestsPerMinute());
            tokenBucket = burst(p.tokensPerMinute());
            return;
        }
        requestBucket = Math.min(burst(p.requestsPerMinute()), requestBucket + seconds * perSecond(p.requestsPerMinute()));
        tokenBucket = Math.min(burst(p.tokensPerMinute()), tokenBucket + seconds * perSecond(p.tokensPerMinute()));
    }

    /** Forgets the seconds that have left the window. */
    void prune(final Instant now) {
        final long oldest = now.minus(QuotaLedger.WINDOW).getEpochSecond();
        while (!slots.isEmpty() && slots.peekFirst().second() <= oldest) {
            slots.pollFirst();
        }
    }

    /** Whole requests that may be granted now. */
    long requestsAvailable(final RateLimitPolicy p) {
        return Math.min((long) Math.floor(requestBucket), p.requestsPerMinute() - issued(true));
    }

    /** Tokens that may be granted now (may be negative after a settlement that used more). */
    double tokensAvailable(final RateLimitPolicy p) {
        return Math.min(tokenBucket, p.tokensPerMinute() - issued(false));
    }

    /** Tokens the window has left, whatever the bucket says. */
    long tokensInWindow(final RateLimitPolicy p) {
        return p.tokensPerMinute() - issued(false);
    }

    /** One request granted, reserving {@code tokens}. */
    void spend(final RateLimitPolicy p, final Instant now, final long tokens) {
        if (p.requestsPerMinute() > 0) {
            requestBucket -= 1;
        }
        if (p.tokensPerMinute() > 0) {
            tokenBucket -= tokens;
        }
        record(now, 1, tokens);
    }

    /** Calls used {@code tokens} more than they reserved (fewer, if negative). */
    void settle(final Instant now, final long tokens) {
        record(now, 0, tokens);
        tokenBucket -= tokens;
    }

    /** Requests (or tokens) granted within the window. */
    long issued(final boolean requests) {
        long n = 0;
        for (final Slot s : slots) {
            n += requests ? s.requests() : s.tokens();
        }
        return n;
    }

    private void record(final Instant now, final long requests, final long tokens) {
        final long second = now.getEpochSecond();
        final Slot last = slots.peekLast();
        if (last != null && last.second() == second) {
            slots.pollLast();
            slots.addLast(new Slot(second, last.requests() + requests, last.tokens() + tokens));
        } else {
            slots.addLast(new Slot(second, requests, tokens));
        }
    }

    static double perSecond(final long perMinute) {
        return perMinute / (double) QuotaLedger.WINDOW.toSeconds();
    }

    static double burst(final long perMinute) {
        return Math.max(1.0, perSecond(perMinute) * QuotaLedger.BURST.toSeconds());
    }
}
