package dev.rebound.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How a pool's calls were shared among its endpoints over time, counted from the endpoints' own
 * call counters (the simulators'), never from Rebound's reports: what the pool demo prints per
 * interval and charts, and what the {@code pool} benchmark judges against the weights. Pure: a
 * function of cumulative samples.
 */
public final class EndpointShares {

    /**
     * The endpoints' cumulative call counts at one moment.
     *
     * @param second since the load started
     * @param calls  each endpoint's calls so far, by endpoint name, in the pool's order
     */
    public record Sample(double second, Map<String, Long> calls) {
        public Sample {
            calls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(calls));
        }
    }

    /**
     * The calls each endpoint received between two moments.
     *
     * @param from  start, seconds since the load started
     * @param to    end, seconds since the load started
     * @param calls calls per endpoint in the interval, in the pool's order
     */
    public record Interval(double from, double to, Map<String, Long> calls) {
        public Interval {
            calls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(calls));
        }

        public long total() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }

        /** {@code endpoint}'s share of the interval's calls in percent (0 when there were none). */
        public double percent(final String endpoint) {
            final long total = total();
            return total == 0 ? 0 : 100.0 * calls.getOrDefault(endpoint, 0L) / total;
        }

        /** Every endpoint's share in percent, rounded to 0.1, in the pool's order. */
        public Map<String, Double> percents() {
            final Map<String, Double> out = new LinkedHashMap<>();
            calls.keySet().forEach(e -> out.put(e, Math.round(percent(e) * 10) / 10.0));
            return out;
        }

        /** {@code east 60%  west 20%  north 20%}. */
        public String line() {
            final StringJoiner j = new StringJoiner("  ");
            calls.keySet().forEach(e -> j.add(String.format(Locale.ROOT, "%s %3.0f%%", e, percent(e))));
            return j.toString();
        }

        /** The largest distance, in percentage points, between an endpoint's share and its weight's share. */
        public double errorPoints(final Map<String, Integer> weights) {
            final double sum = weights.values().stream().mapToInt(Integer::intValue).sum();
            double worst = 0;
            for (final Map.Entry<String, Integer> w : weights.entrySet()) {
                worst = Math.max(worst, Math.abs(percent(w.getKey()) - 100.0 * w.getValue() / sum));
            }
            return worst;
        }

        /** This interval's calls plus {@code other}'s (a window made of two stretches), from this one's start to the other's end. */
        public Interval plus(final Interval other) {
            final Map<String, Long> sum = new LinkedHashMap<>(calls);
            other.calls.forEach((e, n) -> sum.merge(e, n, Long::sum));
            return new Interval(from, other.to, sum);
        }
    }

    /**
     * A pool's shares over a run, for the demo's summary and report.
     *
     * @param pool       the pool's target name
     * @param weights    each endpoint's weight, by endpoint name, in the pool's order
     * @param failing    the endpoint that had an outage
     * @param outageFrom when its outage began, seconds since the load started
     * @param outageTo   when it ended
     * @param intervals  the calls per endpoint in consecutive intervals
     */
    public record Timeline(String pool, Map<String, Integer> weights, String failing, double outageFrom, double outageTo,
                           List<Interval> intervals) {

        /** No pool in this run. */
        public static final Timeline NONE = new Timeline("", Map.of(), "", 0, 0, List.of());

        public Timeline {
            weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
            intervals = List.copyOf(intervals);
        }

        /** Whether {@code i} overlaps the outage by more than a tenth of a second (its edges are sampled, not exact). */
        public boolean inOutage(final Interval i) {
            return Math.min(i.to(), outageTo) - Math.max(i.from(), outageFrom) > 0.1;
        }

        /** One line per interval: {@code   4-6 s   east  60%  west  20%  north  20%   (100 calls)}, the outage marked. */
        public String table() {
            final StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%n  Calls per endpoint of %s (weights %s), counted by each endpoint; %s down %.1f-%.1f s%n",
                    pool, weights, failing, outageFrom, outageTo));
            for (final Interval i : intervals) {
                b.append(String.format(Locale.ROOT, "  %9s s   %s   (%d calls)%s%n", seconds(i.from()) + "-" + seconds(i.to()), i.line(), i.total(),
                        inOutage(i) ? "   <- " + failing + " down" : ""));
            }
            return b.toString();
        }
    }

    private EndpointShares() {
    }

    /** {@code 4}, or {@code 20.2} when not a whole second. */
    private static String seconds(final double s) {
        return Math.abs(s - Math.rint(s)) < 0.05 ? String.valueOf(Math.round(s)) : String.format(Locale.ROOT, "%.1f", s);
    }

    /**
     * The calls between {@code from} and {@code to}: the difference between the last sample at or
     * before each moment (the first sample when none is that early).
     */
    public static Interval between(final List<Sample> samples, final double from, final double to) {
        if (samples.isEmpty()) {
            return new Interval(from, to, Map.of());
        }
        final Sample a = at(samples, from);
        final Sample b = at(samples, to);
        final Map<String, Long> calls = new LinkedHashMap<>();
        b.calls().forEach((e, n) -> calls.put(e, n - a.calls().getOrDefault(e, 0L)));
        return new Interval(a.second(), b.second(), calls);
    }

    /** Consecutive intervals of {@code step} seconds from 0 to the last sample (the last one up to half a step longer or shorter). */
    public static List<Interval> every(final List<Sample> samples, final double step) {
        if (step <= 0) {
            throw new IllegalArgumentException("step must be positive, was " + step);
        }
        final List<Interval> out = new ArrayList<>();
        if (samples.isEmpty()) {
            return out;
        }
        final double end = samples.get(samples.size() - 1).second();
        for (double t = 0; t < end - 1e-9; t += step) {
            // a remainder shorter than half a step joins the interval before it rather than print as a sliver
            final double to = end - (t + step) < step / 2 ? end : t + step;
            final Interval i = between(samples, t, to);
            if (i.to() > i.from()) {
                out.add(new Interval(t, to, i.calls()));
            }
            if (to == end) {
                break;
            }
        }
        return out;
    }

    /** The first moment after {@code from} at which {@code endpoint}'s count grew again, or NaN if it never did. */
    public static double nextCallAfter(final List<Sample> samples, final String endpoint, final double from) {
        final long base = at(samples, from).calls().getOrDefault(endpoint, 0L);
        for (final Sample s : samples) {
            if (s.second() > from && s.calls().getOrDefault(endpoint, 0L) > base) {
                return s.second();
            }
        }
        return Double.NaN;
    }

    private static Sample at(final List<Sample> samples, final double second) {
        Sample found = samples.get(0);
        for (final Sample s : samples) {
            if (s.second() <= second + 1e-9) {
                found = s;
            } else {
                break;
            }
        }
        return found;
    }
}
