package dev.rebound.bench;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.demo.ProgressLine;
import dev.rebound.request.Json;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code rebound bench}: every scenario of DESIGN §10 on one embedded broker, each comparison side
 * by side in the same run; a progress line while it runs, a table at the end, and with
 * {@code --json} exactly the documented names and figures.
 */
public final class Bench {

    /** Every scenario, in the order they run. */
    static final List<Scenario> ALL = List.of(new Passthrough(), new Concurrency(), new Outage(), new FailFast(), new RecoveryRamp(),
            new Delay(), new ExactlyOnce(), new Saturation(), new RateLimit(),
            new AdaptiveBurst(), new PoolBalance());

    /** The project's goals (issues #7, #13 and #15), for the table: figure, comparison, bound. */
    static final Map<String, String> GOALS = Map.ofEntries(
            Map.entry("passthrough.ratio", ">= 0.25"), Map.entry("passthrough.ratioToDurable", ">= 0.7"),
            Map.entry("concurrency.ratio", ">= 0.85"), Map.entry("concurrency.speedupOverSync", ">= 30"),
            Map.entry("outage.amplification", "<= 1.25"), Map.entry("failfast.p99Ms", "<= 250"),
            Map.entry("delay.firePrecisionP99Ms", "<= 1000"), Map.entry("exactly-once.lost", "= 0"),
            Map.entry("exactly-once.duplicated", "= 0"), Map.entry("saturation.perSec", ">= 72"),
            Map.entry("saturation.otherTargetP99Ratio", "<= 1.5"), Map.entry("saturation.repeatedCalls", "= 0"),
            Map.entry("saturation.fenced", "= 0"), Map.entry("ratelimit.ratio", ">= 0.95"), Map.entry("ratelimit.provider429s", "= 0"),
            Map.entry("ratelimit.lost", "= 0"), Map.entry("ratelimit.duplicated", "= 0"),
            Map.entry("ratelimit.highAnsweredAfterLaterLow", "= 0"), Map.entry("adaptive-burst.callsAdaptive", "<= 20"),
            // issue #15: shares by weight outside the outage; the failed endpoint's calls: its threshold (5) + 15 for propagation
            Map.entry("pool.shareErrorPoints", "<= 3"), Map.entry("pool.callsToFailedEndpoint", "<= 20"), Map.entry("pool.lost", "= 0"),
            Map.entry("pool.duplicated", "= 0"), Map.entry("pool.deadLettered", "= 0"));

    private Bench() {
    }

    public static List<String> names() {
        return ALL.stream().map(Scenario::name).toList();
    }

    /** Runs the named scenario, or all; returns {@code {"scenarios": {name: figures}}}. */
    public static Map<String, Object> run(final Optional<String> only, final PrintStream out) throws Exception {
        return run(only, out, new ProgressLine(out, false, ProgressLine.PLAIN_EVERY, System::nanoTime), Optional.empty());
    }

    /**
     * @param progress the scenarios' progress line, redrawn on a terminal
     * @param log      the log file, named once at the start; empty when the log goes to the console
     */
    public static Map<String, Object> run(final Optional<String> only, final PrintStream out, final ProgressLine progress,
                                          final Optional<Path> log) throws Exception {
        final List<Scenario> chosen = ALL.stream().filter(s -> only.map(s.name()::equals).orElse(true)).toList();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--scenario must be one of " + names() + ", was '" + only.orElse("") + "'");
        }
        final Path dir = Files.createTempDirectory("rebound-bench");
        final Map<String, Object> scenarios = new LinkedHashMap<>();
        out.println("Rebound bench: " + chosen.stream().map(Scenario::name).toList() + " on an embedded broker ("
                + Runtime.getRuntime().availableProcessors() + " cores)");
        log.ifPresent(f -> out.println("  logs: " + f));
        final long started = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            final BenchContext ctx = new BenchContext(kafka, dir, out, progress);
            for (final Scenario s : chosen) {
                ctx.begin(s.name());
                final long t = System.nanoTime();
                final Map<String, Object> figures = s.run(ctx);
                scenarios.put(s.name(), figures);
                ctx.done("done in " + Math.round((System.nanoTime() - t) / 1e9) + " s: " + figures);
            }
        } catch (final Exception | Error e) {
            // the processors' logs and configurations are what explains a failure
            progress.breakLine();
            out.printf("  kept %s (configurations, processor logs) to look at%n", dir);
            throw e;
        }
        deleteQuietly(dir);
        out.print(table(chosen, scenarios));
        out.printf("  total %.0f s%n", (System.nanoTime() - started) / 1e9);
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("scenarios", scenarios);
        return root;
    }

    static String table(final List<Scenario> chosen, final Map<String, Object> scenarios) {
        final StringBuilder b = new StringBuilder("\n  Results (each comparison measured side by side in this run)\n");
        b.append(String.format("  %-13s %-28s %14s   %-8s %s%n", "scenario", "figure", "value", "goal", "met"));
        for (final Scenario s : chosen) {
            @SuppressWarnings("unchecked")
            final Map<String, Object> f = (Map<String, Object>) scenarios.get(s.name());
            for (final Map.Entry<String, Object> e : f.entrySet()) {
                final String goal = GOALS.getOrDefault(s.name() + "." + e.getKey(), "");
                b.append(String.format("  %-13s %-28s %14s   %-8s %s%n", s.name(), e.getKey(), e.getValue(), goal,
                        goal.isEmpty() ? "" : met(goal, e.getValue()) ? "yes" : "NO"));
            }
        }
        return b.toString();
    }

    private static boolean met(final String goal, final Object value) {
        if (!(value instanceof Number n)) {
            return false;
        }
        final double v = n.doubleValue();
        final double bound = Double.parseDouble(goal.replaceAll("[^0-9.]", ""));
        return goal.startsWith(">=") ? v >= bound : goal.startsWith("<=") ? v <= bound : v == bound;
    }

    public static String json(final Map<String, Object> result) throws Exception {
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result);
    }

    static double round(final double v, final int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        final double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    static double percentile(final List<Long> sorted, final double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void deleteQuietly(final Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final Exception ignored) {
            // a temp directory
        }
    }
}
