package dev.rebound.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code rebound demo --report F.html}: one self-contained page (inline SVG and CSS, no script, no
 * network) with the run's charts over time and its summary table. Pure: a function of the summary.
 */
public final class DemoReport {

    /**
     * One second of the run, sampled by the demo while it waits.
     *
     * @param second         since the load started
     * @param succeeded      {@code SUCCEEDED} results so far
     * @param fallback       {@code FALLBACK} results so far
     * @param deadLettered   dead letters so far
     * @param circuit        the demo target's circuit state as this instance sees it
     * @param trafficPercent the share of requests its circuit admits
     * @param retriesWaiting requests waiting in the delay path for their next attempt
     */
    public record Sample(double second, long succeeded, long fallback, long deadLettered, String circuit, int trafficPercent,
                         long retriesWaiting) {
    }

    private static final int W = 860;
    private static final int H = 220;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 34;

    private DemoReport() {
    }

    public static String html(final String scenario, final DemoSummary s, final List<Sample> samples) {
        final StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rebound demo: ").append(esc(scenario))
                .append("</title>\n<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:900px}"
                        + "h1{font-size:22px}h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}"
                        + "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
                        + "svg{background:#fafafa;border:1px solid #e4e4e4}.note{color:#666;font-size:13px}</style></head><body>\n");
        b.append("<h1>Rebound demo: scenario <code>").append(esc(scenario)).append("</code></h1>\n");
        b.append("<p class=\"note\">").append(s.requests()).append(" requests in ").append(fmt(s.seconds()))
                .append(" s; counted from agent-results and agent-dead-letters with a read_committed consumer.</p>\n");
        b.append("<h2>Terminal records per second</h2>\n");
        final double[] xs = samples.stream().mapToDouble(Sample::second).toArray();
        final List<String> states = samples.stream().map(Sample::circuit).toList();
        b.append(chart("outcomes", xs, List.of(
                new Series("succeeded", "#2e7d32", perSecond(samples, Sample::succeeded)),
                new Series("fallback", "#f9a825", perSecond(samples, Sample::fallback)),
                new Series("dead-lettered", "#c62828", perSecond(samples, Sample::deadLettered))), List.of(), ""));
        final String circuitOf = s.pool() == EndpointShares.Timeline.NONE ? "sim-chat" : s.pool().pool() + "/" + s.pool().failing();
        b.append("<h2>Circuit of ").append(esc(circuitOf)).append(": traffic admitted (%), background by state</h2>\n");
        b.append(chart("circuit", xs, List.of(new Series("traffic %", "#1565c0", values(samples, Sample::trafficPercent))), states,
                "background: white CLOSED, yellow HALF_OPEN (recovering), red OPEN"));
        if (s.pool() != EndpointShares.Timeline.NONE) {
            b.append(PoolShareChart.section(s.pool()));
        }
        b.append("<h2>Retries waiting in the delay path</h2>\n");
        b.append(chart("retries", xs, List.of(new Series("waiting", "#6a1b9a", values(samples, Sample::retriesWaiting))), List.of(), ""));
        b.append("<h2>Summary</h2>\n<table>\n");
        row(b, "requests", s.requests(), s.invalidSent() + " of them deliberately invalid");
        row(b, "succeeded", s.succeeded(), "");
        row(b, "fallback", s.fallback(), s.fallbackServedBy().isEmpty() ? "" : "served by " + s.fallbackServedBy());
        row(b, "dead-lettered", s.deadLettered(), s.deadLetterReasons().toString());
        row(b, "downstream calls", s.downstreamCalls(), "to the primary");
        row(b, "backup calls", s.backupCalls(), "to the fallback target");
        row(b, "lost", s.lost(), s.lost() == 0 ? "every request accounted for" : "NO TERMINAL RECORD");
        row(b, "duplicated", s.duplicated(), s.duplicated() == 0 ? "exactly one terminal record each" : "MORE THAN ONE");
        b.append("</table>\n");
        if (!s.ramp().isEmpty()) {
            b.append("<h2>Circuit timeline (admitted share per interval)</h2>\n<table><tr><th>health</th><th>traffic</th><th>seconds</th>"
                    + "<th>requests</th><th>admitted</th><th>share</th></tr>\n");
            for (final RampShares.Step st : s.ramp()) {
                b.append("<tr><td>").append(st.health()).append("</td><td class=\"n\">").append(st.percent()).append("%</td><td class=\"n\">")
                        .append(fmt(Duration.between(st.from(), st.to()).toMillis() / 1000.0)).append("</td><td class=\"n\">")
                        .append(st.requests()).append("</td><td class=\"n\">").append(st.admitted()).append("</td><td class=\"n\">")
                        .append(Double.isNaN(st.share()) ? "-" : fmt(st.share()) + "%").append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    /** One line of a chart: its name (in the legend and {@code data-name}), its colour, one value per x. */
    record Series(String name, String color, double[] ys) {
    }

    private static double[] values(final List<Sample> samples, final ToDoubleFunction<Sample> f) {
        return samples.stream().mapToDouble(f).toArray();
    }

    /** Per-second rates from cumulative counts. */
    private static double[] perSecond(final List<Sample> samples, final ToDoubleFunction<Sample> cumulative) {
        final double[] out = new double[samples.size()];
        for (int i = 0; i < out.length; i++) {
            final double prev = i == 0 ? 0 : cumulative.applyAsDouble(samples.get(i - 1));
            final double dt = i == 0 ? samples.get(0).second() : samples.get(i).second() - samples.get(i - 1).second();
            out[i] = dt <= 0 ? 0 : (cumulative.applyAsDouble(samples.get(i)) - prev) / dt;
        }
        return out;
    }

    private static final Map<String, String> STATE_COLORS = Map.of("OPEN", "#ffcdd2", "HALF_OPEN", "#fff59d", "CLOSED", "#ffffff");

    /**
     * An inline SVG line chart.
     *
     * @param xs     seconds since the load started, one per point
     * @param states a circuit state per point for background bands (yellow, red), or empty for none;
     *               with bands the y axis is a percentage, 0..100
     * @param bandNote what the bands mean, beside the legend
     */
    static String chart(final String id, final double[] xs, final List<Series> series, final List<String> states, final String bandNote) {
        final boolean bands = !states.isEmpty();
        final StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">%n",
                id, W, H, W, H));
        if (xs.length == 0) {
            return b.append("<text x=\"20\" y=\"40\">no samples</text></svg>\n").toString();
        }
        final double xMax = Math.max(1, xs[xs.length - 1]);
        double yMax = bands ? 100 : 1;
        for (final Series s : series) {
            for (final double y : s.ys()) {
                yMax = Math.max(yMax, y);
            }
        }
        yMax = niceCeil(yMax);
        if (bands) {
            for (int i = 0; i < xs.length; i++) {
                final double x0 = x(i == 0 ? 0 : xs[i - 1], xMax);
                final double x1 = x(xs[i], xMax);
                b.append(String.format(Locale.ROOT, "<rect class=\"state-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                        states.get(i), x0, TOP, Math.max(0.5, x1 - x0), H - TOP - BOTTOM,
                        STATE_COLORS.getOrDefault(states.get(i), "#eeeeee")));
            }
        }
        for (int t = 0; t <= 4; t++) {
            final double v = yMax * t / 4;
            final double y = y(v, yMax);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n", LEFT, y, W - RIGHT, y, LEFT - 6, y + 4, fmt(v)));
        }
        for (int t = 0; t <= 5; t++) {
            final double sec = xMax * t / 5;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%ss</text>%n",
                    x(sec, xMax), H - BOTTOM + 16, fmt(sec)));
        }
        int legend = LEFT;
        for (final Series s : series) {
            final List<String> points = new ArrayList<>();
            for (int i = 0; i < xs.length; i++) {
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", x(xs[i], xMax), y(s.ys()[i], yMax)));
            }
            b.append("<polyline class=\"series\" data-name=\"").append(esc(s.name())).append("\" fill=\"none\" stroke=\"").append(s.color())
                    .append("\" stroke-width=\"2\" points=\"").append(String.join(" ", points)).append("\"/>\n");
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"18\" font-size=\"12\">%s</text>%n",
                    legend, s.color(), legend + 16, esc(s.name())));
            legend += 24 + 8 * s.name().length();
        }
        if (bands) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"12\" fill=\"#777\">%s</text>%n", legend, esc(bandNote)));
        }
        return b.append("</svg>\n").toString();
    }

    private static double x(final double second, final double xMax) {
        return LEFT + (W - LEFT - RIGHT) * second / xMax;
    }

    private static double y(final double v, final double yMax) {
        return H - BOTTOM - (H - TOP - BOTTOM) * v / yMax;
    }

    private static double niceCeil(final double v) {
        final double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= v) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    private static void row(final StringBuilder b, final String name, final long value, final String note) {
        b.append("<tr><td>").append(name).append("</td><td class=\"n\">").append(value).append("</td><td>").append(esc(note))
                .append("</td></tr>\n");
    }

    static String fmt(final double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
