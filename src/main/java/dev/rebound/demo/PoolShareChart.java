package dev.rebound.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The pool demo's chart in the HTML report: each endpoint's share of the pool's calls per
 * interval (%, counted by the endpoints), the failing endpoint's outage as a red background. Pure.
 */
final class PoolShareChart {

    private static final List<String> COLORS = List.of("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#f9a825", "#00838f");

    private PoolShareChart() {
    }

    static String section(final EndpointShares.Timeline pool) {
        final List<EndpointShares.Interval> intervals = pool.intervals();
        final double[] xs = intervals.stream().mapToDouble(EndpointShares.Interval::to).toArray();
        final List<DemoReport.Series> series = new ArrayList<>();
        int c = 0;
        for (final String endpoint : pool.weights().keySet()) {
            series.add(new DemoReport.Series(endpoint, COLORS.get(c++ % COLORS.size()),
                    intervals.stream().mapToDouble(i -> i.percent(endpoint)).toArray()));
        }
        final List<String> states = intervals.stream().map(i -> pool.inOutage(i) ? "OPEN" : "CLOSED").toList();
        return "<h2>Share of " + DemoReport.esc(pool.pool()) + "'s calls per endpoint (%), every "
                + DemoReport.fmt(intervals.isEmpty() ? 0 : intervals.get(0).to() - intervals.get(0).from()) + " s, weights "
                + DemoReport.esc(pool.weights().toString()) + "</h2>\n"
                + DemoReport.chart("pool-shares", xs, series, states, "red background: " + pool.failing() + " answers 503");
    }
}
