package dev.rebound.execute;

import com.netflix.concurrency.limits.limit.AIMDLimit;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A target's adaptive concurrency limit in this process ({@code rateLimit: { concurrency: auto }}):
 * additive increase, multiplicative decrease, computed by Netflix concurrency-limits'
 * {@link AIMDLimit}, between 1 and {@code maxInFlight}.
 *
 * <p>Why it starts low: its purpose is to stop a burst from spending one call per waiting request
 * on a target that has just died, before the cluster's circuit decides (a few hundred ms). It
 * starts at {@link #INITIAL} (or {@code maxInFlight} if lower), so a burst against a dead target
 * costs at most that many calls at once; a healthy target earns the rest within a few round trips.
 *
 * <ul>
 *   <li><b>Shrinks</b> by half (rounded down, never below 1) on every call that ends in a failure
 *       that says the target is in trouble ({@link #signal}: timeout, network, 5xx and overloaded,
 *       429, transient), and on every success slower than the target's {@code circuit.slowCall}.
 *       Halving per call rather than once per round trip is deliberate: ten calls refused at once
 *       bring 10 to 1 in three of them.</li>
 *   <li><b>Grows</b> by 1 on a success of normal latency, only when the limit was used: the call
 *       started with at least half the limit in flight ({@link AIMDLimit}'s rule, as TCP's
 *       congestion window validation), so a quiet target does not grow without evidence.</li>
 *   <li><b>Rests at the floor.</b> A limit of 1 still lets a target that refuses connections in a
 *       millisecond take one call per millisecond. So a failure at limit 1 makes its permit rest
 *       before it starts another call: {@link #FIRST_REST}, doubling with each probe (a call alone
 *       in flight) that fails in a row, up to {@link #MAX_REST}; a success ends the streak. A burst
 *       of 200 against a dead target then costs the first {@link #INITIAL} calls and a probe at
 *       about 50, 150, 350, 750 ms after they failed.</li>
 *   <li><b>Decays when unused</b> ({@link #decay}): a limit grown under load comes back down after
 *       a quiet second, so the next burst meets the starting limit, not the one the target earned
 *       before it died.</li>
 *   <li>Outcomes that say nothing of the target's load (a 400, a 404, bad credentials, an answer
 *       too large, an executor bug) leave the limit alone.</li>
 * </ul>
 *
 * <p>Thread-safe: calls end on HTTP client threads. {@link AIMDLimit#onSample} is synchronized and
 * its limit volatile; the failure streak is guarded by this object.
 */
public final class AdaptiveLimit implements ConcurrencyLimit {

    /** The limit a target starts at (or {@code maxInFlight} if lower). */
    public static final int INITIAL = 10;
    /** The factor of a cut: the lowest {@link AIMDLimit} accepts, to drop fast. */
    static final double BACKOFF = 0.5;
    /** How long a permit rests after the first failure at limit 1. */
    public static final Duration FIRST_REST = Duration.ofMillis(50);
    /** The longest rest: a dead target is still probed about once a second until its circuit opens. */
    public static final Duration MAX_REST = Duration.ofSeconds(1);

    /** What one finished call says about the target's load. */
    enum Signal {
        /** An answer in normal time: the limit may grow. */
        SUCCESS,
        /** An answer slower than {@code circuit.slowCall}: cut, but no rest. */
        SLOW,
        /** The target is in trouble: cut, and rest at the floor. */
        FAILURE,
        /** Nothing about its load. */
        NONE
    }

    /** How long a limit may go unused before it decays towards what was used. */
    public static final Duration DECAY_PERIOD = Duration.ofSeconds(1);

    private volatile AIMDLimit aimd;
    private final int maxInFlight;
    private final long slowNanos;
    private final LongSupplier clock;
    /** When at least half the limit was last seen in flight (or the limit last decayed), the most seen in flight since, and when. */
    private volatile long lastBusy;
    private final AtomicInteger quietPeak = new AtomicInteger();
    private volatile long quietPeakAt;
    /** Probes (calls alone in flight) failed in a row at limit 1; guarded by {@code this}. */
    private int restStreak;

    /**
     * @param maxInFlight the hard cap, the target's {@code maxInFlight}
     * @param slow        a success at least this long counts as a slow-down (the target's {@code circuit.slowCall})
     */
    public AdaptiveLimit(final int maxInFlight, final Duration slow) {
        this(maxInFlight, slow, System::nanoTime);
    }

    /** @param clock nanoseconds, for the decay period */
    AdaptiveLimit(final int maxInFlight, final Duration slow, final LongSupplier clock) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (slow.isNegative() || slow.isZero()) {
            throw new IllegalArgumentException("slow must be positive, was " + slow);
        }
        this.slowNanos = slow.toNanos();
        this.maxInFlight = maxInFlight;
        this.clock = clock;
        this.aimd = aimd(Math.min(INITIAL, maxInFlight));
        this.lastBusy = clock.getAsLong();
        this.quietPeakAt = lastBusy;
    }

    private AIMDLimit aimd(final int initial) {
        return AIMDLimit.newBuilder()
                .initialLimit(initial)
                .minLimit(1)
                .maxLimit(maxInFlight)
                .backoffRatio(BACKOFF)
                // AIMDLimit cuts when rtt > timeout: our "slow" is "at least slowCall"
                .timeout(Math.max(1, slowNanos - 1), TimeUnit.NANOSECONDS)
                .build();
    }

    @Override
    public int current() {
        return aimd.getLimit();
    }

    @Override
    public int current(final int inFlight) {
        final long now = clock.getAsLong();
        if (inFlight * 2 >= aimd.getLimit()) {
            lastBusy = now;
            quietPeak.set(0);
        } else {
            if (inFlight >= quietPeak.get()) {
                quietPeak.accumulateAndGet(inFlight, Math::max);
                quietPeakAt = now;
            }
            if (now - lastBusy >= DECAY_PERIOD.toNanos()) {
                decay(now, inFlight);
            }
        }
        return aimd.getLimit();
    }

    /**
     * A limit earned under load is not evidence for a burst that comes after a quiet spell (the
     * target may have died meanwhile): once {@link #DECAY_PERIOD} has passed since half of it was
     * last in flight (as seen whenever a permit is asked for), it comes down to twice the most in
     * flight within the last period, and never below where it started (TCP's congestion window
     * validation, RFC 7661, and its restart after idle); each decay starts a new period. Calls that
     * run long keep it: they are in flight when it looks.
     *
     * <p>Within the last period, not since the limit was last used: as a burst's calls end one by
     * one, the in-flight count passes just under half the limit, and a peak kept from then (with
     * no permit asked for during the quiet that followed) would have held the limit at about where
     * the burst left it: the next burst, against a target that had died meanwhile, met that limit
     * instead of the starting one (31 calls in the {@code adaptive-burst} benchmark, not 10).
     */
    private synchronized void decay(final long now, final int inFlight) {
        if (now - lastBusy < DECAY_PERIOD.toNanos()) {
            return;
        }
        final int peak = now - quietPeakAt < DECAY_PERIOD.toNanos() ? Math.max(quietPeak.get(), inFlight) : inFlight;
        final int limit = aimd.getLimit();
        final int floor = Math.min(INITIAL, maxInFlight);
        if (limit > floor) {
            aimd = aimd(Math.max(floor, Math.min(limit, 2 * peak)));
        }
        lastBusy = now;
        quietPeak.set(inFlight);
        quietPeakAt = now;
    }

    @Override
    public Duration onCall(final CallOutcome outcome, final long rttNanos, final int inflight) {
        final Signal s = signal(outcome, rttNanos, slowNanos);
        if (s == Signal.NONE) {
            return Duration.ZERO;
        }
        synchronized (this) {
            aimd.onSample(0, rttNanos, inflight, s == Signal.FAILURE);
            if (s != Signal.FAILURE) {
                restStreak = 0;
                return Duration.ZERO;
            }
            if (aimd.getLimit() > 1) {
                return Duration.ZERO;
            }
            if (inflight <= 1) {
                // a probe, alone in flight, failed: the target is still down. Failures of calls that
                // went out together under an older, higher limit are one event, not a streak
                restStreak = Math.min(restStreak + 1, 20);
            }
            final long ms = FIRST_REST.toMillis() << restStreak;
            return ms >= MAX_REST.toMillis() ? MAX_REST : Duration.ofMillis(ms);
        }
    }

    /**
     * What {@code outcome} says of the target's load. Only failures that mean "too much, or too
     * broken, right now" count: an overloaded target answers 429, 503/529 or not at all, while a
     * 400, a 404 or a refused credential would come back the same at any concurrency.
     */
    static Signal signal(final CallOutcome outcome, final long rttNanos, final long slowNanos) {
        if (outcome instanceof CallOutcome.Success) {
            return rttNanos >= slowNanos ? Signal.SLOW : Signal.SUCCESS;
        }
        final ErrorCategory c = ((CallOutcome.Failed) outcome).classification().category();
        return switch (c) {
            case TIMEOUT, NETWORK, SERVER_ERROR, RATE_LIMITED, TRANSIENT -> Signal.FAILURE;
            case AUTHENTICATION, VALIDATION, CONTEXT_TOO_LONG, CONTENT_POLICY, QUOTA_EXHAUSTED, NOT_FOUND, CIRCUIT_OPEN,
                 UNKNOWN, RESPONSE_TOO_LARGE -> Signal.NONE;
        };
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[" + current() + "]";
    }
}
