package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.RecoveryPolicy;
import dev.rebound.recovery.Health;
import dev.rebound.recovery.HealthState;
import dev.rebound.time.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The circuit's decisions, as pure functions of (state, input, policy, time). Every change of
 * state goes through {@link Transition#between}, so an illegal move throws instead of happening.
 * A step that changes what other tasks must know returns the record to publish.
 *
 * <p>Without a recovery policy an OPEN circuit probes after {@code openFor} (HALF_OPEN, a few
 * probe calls). With one, health checks decide instead ({@link HealthMachine}): OPEN is DEGRADED,
 * and HALF_OPEN is RECOVERING, where ordinary traffic is admitted by the ramp's percentage and a
 * single failure opens the circuit again.
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
            case VALIDATION, CONTEXT_TOO_LONG, CONTENT_POLICY, NOT_FOUND, RESPONSE_TOO_LARGE -> false;
            default -> true;
        };
    }

    public static Step onOutcome(final OwnerState before, final Outcome o, final CircuitPolicy p, final String target) {
        return onOutcome(before, o, p, Optional.empty(), target);
    }

    /** @param r the target's recovery policy, if it has one */
    public static Step onOutcome(final OwnerState before, final Outcome o, final CircuitPolicy p, final Optional<RecoveryPolicy> r,
                                 final String target) {
        final OwnerState s = before.reportedBy(o.task());
        final Instant now = o.at();
        final boolean rateLimited = o.category() == ErrorCategory.RATE_LIMITED;
        final boolean failure = !o.success() && (!rateLimited || p.rateLimitedTrips());
        final Optional<Duration> cooldown = o.success() || o.category() == null ? Optional.empty()
                : Optional.ofNullable(p.cooldowns().get(o.category()));
        if (cooldown.isPresent() && s.state() != CircuitState.OPEN) {
            // quota gone and the like: no window can say more than the error itself
            return open(s, target, now, o.category() + " from " + o.task() + "; cooling down for " + Durations.format(cooldown.get()),
                    cooldown.get(), p);
        }
        return switch (s.state()) {
            case CLOSED -> {
                final boolean slow = o.durationMs() >= p.slowCall().toMillis();
                final OwnerState counted = s.with(s.window().record(now, !o.success(), slow, rateLimited, p.rateLimitedTrips()));
                yield tripIfNeeded(counted, p, r, target, now);
            }
            // outcomes of calls admitted before the circuit opened say nothing new
            case OPEN -> new Step(s, Optional.empty());
            case HALF_OPEN -> {
                if (failure) {
                    final String why = r.isEmpty() ? "probe failed with " + o.category()
                            : "a call failed with " + o.category() + " while recovering at " + s.health().percent() + "%";
                    yield open(s, target, now, why, openFor(p, r), p);
                }
                if (!o.success() || r.isPresent()) {
                    yield new Step(s, Optional.empty()); // with recovery the ramp, not a probe count, closes the circuit
                }
                final int successes = s.probeSuccesses() + 1;
                if (successes >= p.probes()) {
                    yield close(s, target, now, successes + " probe(s) succeeded", p);
                }
                yield new Step(s.probed(successes), Optional.empty());
            }
        };
    }

    public static Step onTick(final OwnerState s, final CircuitPolicy p, final String target, final Instant now) {
        return onTick(s, p, Optional.empty(), target, now);
    }

    /**
     * Time passing: without recovery, an OPEN circuit whose {@code openFor} is over moves to
     * HALF_OPEN, with the most recent reporter as its probe task, and a HALF_OPEN circuit whose
     * probe task has sent no outcome for {@code openFor} hands probing to the next reporter. With
     * recovery, the ramp moves up ({@link HealthMachine#onTick}).
     */
    public static Step onTick(final OwnerState s, final CircuitPolicy p, final Optional<RecoveryPolicy> r, final String target,
                              final Instant now) {
        if (r.isPresent()) {
            return HealthMachine.onTick(s, p, r.get(), target, now);
        }
        if (s.state() == CircuitState.OPEN && !now.isBefore(s.openUntil())) {
            Transition.between(s.state(), CircuitState.HALF_OPEN);
            final String probeTask = s.reporters().isEmpty() ? null : s.reporters().get(0);
            final OwnerState half = s.halfOpen(now, s.window(), probeTask, s.health().entering(HealthState.RECOVERING, now, 0));
            return new Step(half, Optional.of(record(half, target, now, "open for " + Durations.format(Duration.between(s.since(), now))
                    + "; probing", p)));
        }
        if (s.state() == CircuitState.HALF_OPEN && s.probeSuccesses() == 0 && !now.isBefore(s.since().plus(p.openFor()))
                && s.reporters().size() > 1) {
            final int i = s.reporters().indexOf(s.probeTask());
            final String next = s.reporters().get((i + 1) % s.reporters().size());
            final OwnerState rotated = s.halfOpen(now, s.window(), next, s.health());
            return new Step(rotated, Optional.of(record(rotated, target, now, "no probe from " + s.probeTask() + "; probing from " + next, p)));
        }
        return new Step(s, Optional.empty());
    }

    private static Step tripIfNeeded(final OwnerState s, final CircuitPolicy p, final Optional<RecoveryPolicy> r, final String target,
                                     final Instant now) {
        final CircuitWindow w = s.window();
        final Duration openFor = openFor(p, r);
        if (w.consecutiveFailures() >= p.consecutiveFailures()) {
            return open(s, target, now, w.consecutiveFailures() + " consecutive failures", openFor, p);
        }
        final CircuitWindow.Figures f = w.figures(now);
        final long calls = f.calls();
        if (calls >= p.minCalls() && f.failureRate() >= p.failureRate()) {
            return open(s, target, now, String.format("failure rate %.2f over %d calls", f.failureRate(), calls), openFor, p);
        }
        if (calls >= p.minCalls() && f.slowCallRate() >= p.slowCallRate()) {
            return open(s, target, now, String.format("slow-call rate %.2f over %d calls", f.slowCallRate(), calls), openFor, p);
        }
        return new Step(s, Optional.empty());
    }

    /** With recovery an OPEN circuit lasts until the checks pass; {@code openUntil} then only says when to ask again. */
    private static Duration openFor(final CircuitPolicy p, final Optional<RecoveryPolicy> r) {
        return r.map(RecoveryPolicy::interval).orElse(p.openFor());
    }

    static Step open(final OwnerState s, final String target, final Instant now, final String reason, final Duration openFor,
                     final CircuitPolicy p) {
        Transition.between(s.state(), CircuitState.OPEN);
        final Health degraded = s.health().state() == HealthState.DEGRADED ? s.health() : s.health().entering(HealthState.DEGRADED, now, 0);
        final OwnerState opened = s.opened(now, now.plus(openFor), degraded);
        // the record carries the figures that tripped it; the window starts afresh for the next CLOSED period
        final CircuitRecord rec = record(opened, target, now, reason, p);
        return new Step(opened.with(s.window().cleared()), Optional.of(rec));
    }

    static Step close(final OwnerState s, final String target, final Instant now, final String reason, final CircuitPolicy p) {
        Transition.between(s.state(), CircuitState.CLOSED);
        final OwnerState closed = s.closed(now, s.health().entering(HealthState.HEALTHY, now, 100));
        return new Step(closed, Optional.of(record(closed, target, now, reason, p)));
    }

    static CircuitRecord record(final OwnerState s, final String target, final Instant now, final String reason, final CircuitPolicy p) {
        return new CircuitRecord(target, s.state(), s.since(), reason, s.window().calls(now), s.window().failureRate(now),
                s.window().slowCallRate(now), s.window().consecutiveFailures(), s.openUntil(),
                s.state() == CircuitState.HALF_OPEN && s.health().percent() == 0 ? p.probes() : 0, s.probeTask(),
                s.health().state(), s.health().percent());
    }
}
