package dev.rebound.demo;

import dev.rebound.circuit.CircuitRecord;
import dev.rebound.recovery.HealthState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures what a recovery ramp really admitted: the target's timeline from {@code agent-circuits}
 * cut into intervals of one traffic percentage, and for each, the share of the requests decided
 * in it that were admitted (called) rather than refused (served a fallback without a call).
 * Pure; the evidence comes from the output topics.
 */
public final class RampShares {

    /** One request's admission: when it was decided, and whether it was called. */
    public record Decision(Instant at, boolean admitted) {
    }

    /**
     * One interval of the timeline.
     *
     * @param percent  the published traffic percentage
     * @param health   the published health
     * @param from     when it was published
     * @param to       when the next record replaced it, or the last decision's time
     * @param requests requests decided in it (after the settle time)
     * @param admitted of those, the ones called
     */
    public record Step(int percent, HealthState health, Instant from, Instant to, long requests, long admitted) {
        /** The admitted share in percent, or NaN without requests. */
        public double share() {
            return requests == 0 ? Double.NaN : 100.0 * admitted / requests;
        }
    }

    private RampShares() {
    }

    /**
     * @param timeline the target's records in publication order
     * @param settle   decisions this soon after a record are left out: other instances learn of it
     *                 through their global store a moment later
     */
    public static List<Step> measure(final List<CircuitRecord> timeline, final List<Decision> decisions, final Duration settle) {
        final List<Step> steps = new ArrayList<>();
        final Instant last = decisions.stream().map(Decision::at).max(Instant::compareTo).orElse(Instant.EPOCH);
        for (int i = 0; i < timeline.size(); i++) {
            final CircuitRecord r = timeline.get(i);
            final Instant from = r.since();
            final Instant to = i + 1 < timeline.size() ? timeline.get(i + 1).since() : last.plusMillis(1);
            final Instant counted = from.plus(settle);
            long n = 0;
            long admitted = 0;
            for (final Decision d : decisions) {
                if (!d.at().isBefore(counted) && d.at().isBefore(to)) {
                    n++;
                    admitted += d.admitted() ? 1 : 0;
                }
            }
            steps.add(new Step(r.trafficPercent(), r.health(), from, to, n, admitted));
        }
        return steps;
    }

    /** A table for people: one line per step. */
    public static String table(final List<Step> steps) {
        final StringBuilder b = new StringBuilder(String.format("  %-11s %8s %9s %9s %9s %9s%n", "health", "traffic", "seconds",
                "requests", "admitted", "share"));
        for (final Step s : steps) {
            if (s.requests() == 0) {
                continue; // a step with no request in it (the run ended as it began) has no share to show
            }
            b.append(String.format("  %-11s %7d%% %9.1f %9d %9d %8.1f%%%n", s.health(), s.percent(),
                    Duration.between(s.from(), s.to()).toMillis() / 1000.0, s.requests(), s.admitted(), s.share()));
        }
        return b.toString();
    }
}
