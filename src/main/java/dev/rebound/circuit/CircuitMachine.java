package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The circuit's decisions, as pure functions of (state, input, policy, time). Every change of
 * state goes through {@link Transition#between}, so an illegal move throws instead of happening.
 * A step that changes what other tasks must know returns the record to publish.
 */
public final class CircuitMachine {

    /** The new state, and the record to publish on {@code agent-circuits} if any. */
    public record Step(OwnerState state, Optional<CircuitRecord> publish) {
    }

    private CircuitMachine() {
    }

    /**
     * Whether a failure says something about the target's health. The request's own faults
     * (invalid, too long, refused content, unknown model) do not: one agent sending bad requests
     * must not open the circuit for everyone.
     */
    public static boolean isTargetFailure(final ErrorCategory category) {
        return switch (category) {
            case VALIDATION, CONTEXT_TOO_LONG, CONTENT_POLICY, NOT_FOUND -> false;
            default -> true;
        };
    }

    public static Step onOutcome(final OwnerState before, final Outcome o, final CircuitPolicy p, final String target) {
        final OwnerState s = before.reportedBy(o.task());
        final Instant now = o.at();
        final boolean rateLimited = "RATE_LIMITED".equals(o.category());
        final boolean failure = !o.success() && (!rateLimited || p.rateLimitedTrips());
        final Optional<Duration> cooldown = o.success() || o.category() == null ? Optional.empty()
                : p.cooldowns().entrySet().stream().filter(e -> e.getKey().name().equals(o.category())).map(Map.Entry::getValue).findFirst();
        if (cooldown.isPresent() && s.state() != CircuitState.OPEN) {
            // quota gone and the like: no window can say more than the error itself
            return open(s, target, now, o.category() + " from " + o.task() + "; cooling down for " + Durations.format(cooldown.get()),
                    cooldown.get(), p);
        }
        return switch (s.state()) {
            case CLOSED -> {
                final boolean slow = o.durationMs() >= p.slowCall().toMillis();
                final OwnerState counted = s.with(s.window().record(now, !o.success(), slow, rateLimited, p.rateLimitedTrips()));
                yield tripIfNeeded(counted, p, target, now);
            }
            // outcomes of calls admitted before the circuit opened say nothing new
            case OPEN -> new Step(s, Optional.empty());
            case HALF_OPEN -> {
                if (failure) {
                    yield open(s, target, now, "probe failed with " + o.category(), p.openFor(), p);
                }
                if (!o.success()) {
                    yield new Step(s, Optional.empty());
                }
                final int successes = s.probeSuccesses() + 1;
                if (successes >= p.probes()) {
                    Transition.between(s.state(), CircuitState.CLOSED);
                    final OwnerState closed = new OwnerState(CircuitState.CLOSED, now, s.window().cleared(), 0, null, null, s.reporters());
                    yield new Step(closed, Optional.of(record(closed, target, now, successes + " probe(s) succeeded", p)));
                }
                yield new Step(new OwnerState(s.state(), s.since(), s.window(), successes, null, s.probeTask(), s.reporters()),
                        Optional.empty());
            }
        };
    }

    /**
     * Time passing: an OPEN circuit whose {@code openFor} is over moves to HALF_OPEN, with the most
     * recent reporter as its probe task; a HALF_OPEN circuit whose probe task has sent no outcome
     * for {@code openFor} hands probing to the next reporter.
     */
    public static Step onTick(final OwnerState s, final CircuitPolicy p, final String target, final Instant now) {
        if (s.state() == CircuitState.OPEN && !now.isBefore(s.openUntil())) {
            Transition.between(s.state(), CircuitState.HALF_OPEN);
            final String probeTask = s.reporters().isEmpty() ? null : s.reporters().get(0);
            final OwnerState half = new OwnerState(CircuitState.HALF_OPEN, now, s.window(), 0, null, probeTask, s.reporters());
            return new Step(half, Optional.of(record(half, target, now, "open for " + Durations.format(Duration.between(s.since(), now)) + "; probing", p)));
        }
        if (s.state() == CircuitState.HALF_OPEN && s.probeSuccesses() == 0 && !now.isBefore(s.since().plus(p.openFor()))
                && s.reporters().size() > 1) {
            final int i = s.reporters().indexOf(s.probeTask());
            final String next = s.reporters().get((i + 1) % s.reporters().size());
            final OwnerState rotated = new OwnerState(CircuitState.HALF_OPEN, now, s.window(), 0, null, next, s.reporters());
            return new Step(rotated, Optional.of(record(rotated, target, now, "no probe from " + s.probeTask() + "; probing from " + next, p)));
        }
        return new Step(s, Optional.empty());
    }

    private static Step tripIfNeeded(final OwnerState s, final CircuitPolicy p, final String target, final Instant now) {
        final CircuitWindow w = s.window();
        if (w.consecutiveFailures() >= p.consecutiveFailures()) {
            return open(s, target, now, w.consecutiveFailures() + " consecutive failures", p.openFor(), p);
        }
        final long calls = w.calls(now);
        if (calls >= p.minCalls() && w.failureRate(now) >= p.failureRate()) {
            return open(s, target, now, String.format("failure rate %.2f over %d calls", w.failureRate(now), calls), p.openFor(), p);
        }
        if (calls >= p.minCalls() && w.slowCallRate(now) >= p.slowCallRate()) {
            return open(s, target, now, String.format("slow-call rate %.2f over %d calls", w.slowCallRate(now), calls), p.openFor(), p);
        }
        return new Step(s, Optional.empty());
    }

    private static Step open(final OwnerState s, final String target, final Instant now, final String reason, final Duration openFor,
                             final CircuitPolicy p) {
        Transition.between(s.state(), CircuitState.OPEN);
        final OwnerState opened = new OwnerState(CircuitState.OPEN, now, s.window(), 0, now.plus(openFor), null, s.reporters());
        // the record carries the figures that tripped it; the window starts afresh for the next CLOSED period
        final CircuitRecord rec = record(opened, target, now, reason, p);
        return new Step(opened.with(s.window().cleared()), Optional.of(rec));
    }

    static CircuitRecord record(final OwnerState s, final String target, final Instant now, final String reason, final CircuitPolicy p) {
        return new CircuitRecord(target, s.state(), s.since(), reason, s.window().calls(now), s.window().failureRate(now),
                s.window().slowCallRate(now), s.window().consecutiveFailures(), s.openUntil(),
                s.state() == CircuitState.HALF_OPEN ? p.probes() : 0, s.probeTask());
    }
}
