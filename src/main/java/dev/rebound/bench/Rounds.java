package dev.rebound.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measuring method of DESIGN §10 for the sides of one comparison: every side first runs
 * warm-up rounds that are not counted (so that no side is measured in a colder JVM than another),
 * then the sides take turns, A B A B ..., for {@link #MEASURED} rounds each; each side's figures
 * are the medians of its rounds. Alternating spreads whatever else the shared machine does over
 * all sides instead of loading it onto whichever side happens to run during it.
 *
 * <p>A round's rate runs from its first send to its last result read, so it includes one
 * end-to-end latency (a commit interval and more) that a short round would weigh heavily: 10 000
 * requests through a plain {@code mapValues} take a third of a second, of which a tenth or more
 * is that tail. So each side's rounds are sized from its warm-up rate to last about
 * {@link #ROUND} each, whatever the side's speed.
 *
 * <p>CPU time is the whole process's ({@code getProcessCpuTime}): the embedded broker, the load
 * generator and the reader run in this JVM too, the same for every side, so the differences
 * between sides are the applications' own; each round also says where it went by kind of thread
 * ({@link CpuByThread}). Warm-up goes on until the JIT has settled ({@link #settle}).
 */
final class Rounds {

    /** Counted rounds per side. */
    static final int MEASURED = 3;
    /** About how long a counted round lasts. */
    static final java.time.Duration ROUND = java.time.Duration.ofSeconds(5);
    /** The most requests in one round (a producer buffers them all at once). */
    static final int MAX_ROUND = 200_000;

    /** Warm-up goes on until the JIT spends less than this share of a pass over all sides compiling. */
    static final double JIT_SETTLED = 0.10;
    /** How long warm-up passes over all sides, beyond the two warm-up rounds each, may go on for the JIT to settle. */
    static final java.time.Duration MAX_SETTLING = java.time.Duration.ofSeconds(240);

    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    private Rounds() {
    }

    /** CPU time used by this process so far, in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /**
     * Runs each side's warm-up rounds, then {@link #MEASURED} alternating rounds per side, each
     * sized to last about {@link #ROUND} at the side's warm-up rate; returns each side's median
     * figures, by side, in the given order, and notes every round's figures on the progress output.
     */
    static Map<Side, Side.Round> run(final BenchContext ctx, final List<Side> sides) {
        sides.forEach(Side::pause);
        final Map<Side, Integer> sizes = new LinkedHashMap<>();
        for (final Side s : sides) {
            // two warm-up rounds: the first, of a fixed size, gives the rate that sizes the second
            // to about ROUND, whose rate sizes the counted rounds. A cold JVM runs Rebound at half
            // its warm speed (590/s in a first round of 5 000, 1 200-1 600/s after), so one fixed
            // warm-up is either too short for the JIT or needlessly long for the fast sides
            final Side.Round cold = s.round(ctx, s.name() + " warm-up 1/2", s.warmUpSize());
            final Side.Round warm = s.round(ctx, s.name() + " warm-up 2/2", roundSize(cold.perSec()));
            sizes.put(s, roundSize(warm.perSec()));
        }
        settle(ctx, sides, sizes);
        final Map<Side, List<Side.Round>> rounds = new LinkedHashMap<>();
        for (int r = 1; r <= MEASURED; r++) {
            for (final Side s : sides) {
                rounds.computeIfAbsent(s, k -> new ArrayList<>())
                        .add(s.round(ctx, s.name() + " round " + r + "/" + MEASURED, sizes.get(s)));
            }
        }
        final Map<Side, Side.Round> medians = new LinkedHashMap<>();
        final java.util.StringJoiner said = new java.util.StringJoiner("; ");
        rounds.forEach((s, list) -> {
            medians.put(s, medianOf(list));
            said.add(s.name() + " " + sizes.get(s) + " a round: " + list.stream()
                    .map(x -> Math.round(x.perSec()) + "/s " + Math.round(x.cpuMicrosPerRequest()) + " us " + x.cpuByThread()).toList());
        });
        ctx.note("rounds: " + said);
        return medians;
    }

    /**
     * More warm-up passes over all sides, until the JIT compiles less than {@link #JIT_SETTLED} of
     * a pass's time, for at most {@link #MAX_SETTLING}. With the broker, the clients, Kafka Streams
     * and the simulator in one JVM there is a lot to compile on two cores: after two warm-up rounds
     * each the compiler threads still took three quarters of a core for a minute and more
     * (compiling 104, 92, 80, 71, 72, 47, 35, 22, 34, 11 % of successive 10 s passes in
     * {@code concurrency}, and still 10-15 % after 150 s), time that landed in the counted rounds'
     * rates and CPU per request, most on whichever side ran first.
     */
    private static void settle(final BenchContext ctx, final List<Side> sides, final Map<Side, Integer> sizes) {
        final long until = System.nanoTime() + MAX_SETTLING.toNanos();
        for (int pass = 1; System.nanoTime() < until; pass++) {
            final long compiledBefore = JIT.getTotalCompilationTime();
            final long start = System.nanoTime();
            for (final Side s : sides) {
                // a side speeds up as it warms: the counted rounds are sized from its latest rate
                sizes.put(s, roundSize(s.round(ctx, s.name() + " warm-up, JIT settling, pass " + pass, sizes.get(s)).perSec()));
            }
            final double share = (JIT.getTotalCompilationTime() - compiledBefore) / ((System.nanoTime() - start) / 1e6);
            ctx.note("JIT settling pass " + pass + ": compiling " + Math.round(share * 100) + " % of the pass");
            if (share < JIT_SETTLED) {
                return;
            }
        }
    }

    /** Requests for a round of about {@link #ROUND} at {@code perSec}, at least 10 and at most {@link #MAX_ROUND}. */
    static int roundSize(final double perSec) {
        return (int) Math.max(10, Math.min(MAX_ROUND, Math.round(perSec * ROUND.toMillis() / 1000.0)));
    }

    /** The median rate and the median CPU per request of {@code rounds}, each taken on its own. */
    static Side.Round medianOf(final List<Side.Round> rounds) {
        return new Side.Round(median(rounds.stream().map(Side.Round::perSec).toList()),
                median(rounds.stream().map(Side.Round::cpuMicrosPerRequest).toList()));
    }

    static double median(final List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }
}
