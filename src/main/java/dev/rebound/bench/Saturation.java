package dev.rebound.bench;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.Pacer;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code saturation}: one instance, one stream thread, 6 partitions; a target with 4 slots whose
 * calls take 50 ms gets {@link #N} requests at once, far more than it can take (its ceiling is
 * 4 / 0.05 s = 80 calls/s), while a second, healthy target (5 ms) gets a trickle of
 * {@link #TRICKLE_RATE} requests a second. What it shows:
 * <ul>
 *   <li>{@code perSec}: the saturated target's throughput, from the burst's first send to its
 *       last terminal record read; a dispatcher that keeps all 4 slots busy reaches about 80/s;</li>
 *   <li>{@code otherTargetP99Ms} against {@code otherTargetAloneP99Ms}: the healthy target's p99,
 *       producer send to {@code read_committed} read of its terminal record, during the burst and
 *       alone just before it (same instance, same rate), so one saturated target's effect on
 *       another is visible ({@code otherTargetP99Ratio}: the first over the second);</li>
 *   <li>{@code repeatedCalls}: calls the saturated target received beyond one per request,
 *       counted by {@code Idempotency-Key} (the request id) at the simulator: a request sent again
 *       after a fencing or a restart shows here;</li>
 *   <li>{@code fenced}: rebalances of the processor's consumer during the measured part (its
 *       {@code rebalance-total} metric), which is what a fenced producer causes under exactly-once
 *       (the thread gives up its tasks and rejoins) and also what an exceeded poll interval
 *       causes; 0 means no task moved.</li>
 * </ul>
 */
final class Saturation implements Scenario {

    static final int N = 5_000;
    static final int PARTITIONS = 6;
    static final int SLOTS = 4;
    static final Duration SLOW = Duration.ofMillis(50);
    static final Duration FAST = Duration.ofMillis(5);
    static final int TRICKLE_RATE = 20;
    static final Duration ALONE = Duration.ofSeconds(15);
    /**
     * Requests of the warm-up burst: as many as the measured burst, so that the JIT has compiled
     * what parking, resuming and answering run before the clock starts (with 300 requests it was
     * still compiling them, C2 taking 100–420 ms a method, during the measured burst's first second).
     */
    static final int WARM_UP = N;
    /** The warm-up target's calls: short, so that the warm-up burst drains in seconds through the same {@link #SLOTS} slots. */
    static final Duration WARM = Duration.ofMillis(1);
    /** How long the healthy target's last requests get after the burst has ended. */
    static final Duration TAIL = Duration.ofSeconds(30);

    @Override
    public String name() {
        return "saturation";
    }

    @Override
    public String setup() {
        return N + " requests to a target with " + SLOTS + " slots and 50 ms calls, 6 partitions, 1 thread; "
                + TRICKLE_RATE + "/s to a healthy one";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(PARTITIONS);
        final Topics topics = BenchContext.topics(prefix);
        try (Simulator slow = Simulator.start(0, SimScenario.fixedLatency(SLOW), 7);
             Simulator fast = Simulator.start(0, SimScenario.fixedLatency(FAST), 8);
             Simulator warm = Simulator.start(0, SimScenario.fixedLatency(WARM), 9)) {
            final ReboundConfig config = BenchContext.parse(ctx.header(prefix, "num.stream.threads: \"1\"") + """
                    targets:
                      slow: { url: "http://127.0.0.1:%d/v1/chat", maxInFlight: %d, timeout: 10s }
                      fast: { url: "http://127.0.0.1:%d/v1/chat", timeout: 10s }
                      warm: { url: "http://127.0.0.1:%d/v1/chat", maxInFlight: %d, timeout: 10s }
                    """.formatted(slow.port(), SLOTS, fast.port(), warm.port(), SLOTS));
            ctx.progress("starting rebound");
            try (ReboundStreams rebound = ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                    new ReboundMetrics());
                 OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                final Run run = new Run(ctx, topics.calls(), reader, producer);
                run.warmUp();
                final long rebalancesBefore = rebalances(rebound.streams());
                final Latencies alone = run.trickleAlone();
                final Burst burst = run.burst();
                final long fenced = rebalances(rebound.streams()) - rebalancesBefore;
                long repeated = 0;
                for (int i = 0; i < N; i++) {
                    repeated += Math.max(0, slow.calls(Run.SLOW_ID + i) - 1);
                }
                final Map<String, Object> f = new LinkedHashMap<>();
                f.put("requests", N);
                f.put("ended", burst.ended());
                f.put("perSec", Bench.round(burst.perSec(), 1));
                f.put("ceilingPerSec", Math.round(SLOTS / (SLOW.toMillis() / 1000.0)));
                final double p99 = Bench.percentile(burst.other().sorted(), 0.99);
                final double aloneP99 = Bench.percentile(alone.sorted(), 0.99);
                f.put("otherTargetRequests", burst.other().sorted().size());
                f.put("otherTargetNotEnded", burst.other().notEnded());
                f.put("otherTargetP99Ms", Bench.round(p99 / 1e6, 1));
                f.put("otherTargetAloneP99Ms", Bench.round(aloneP99 / 1e6, 1));
                f.put("otherTargetP99Ratio", Bench.round(p99 / aloneP99, 2));
                f.put("repeatedCalls", repeated);
                f.put("fenced", fenced);
                if (burst.ended() < N) {
                    ctx.note("saturation: only " + burst.ended() + " of " + N + " requests to the saturated target ended in time");
                }
                if (burst.other().notEnded() > 0 || alone.notEnded() > 0) {
                    ctx.note("saturation: " + burst.other().notEnded() + " requests to the healthy target (" + alone.notEnded()
                            + " alone) had not ended when the run stopped waiting; their wait so far counts in the p99, a lower bound");
                }
                return f;
            }
        }
    }

    /** The main consumer's completed rebalances so far (Kafka's {@code rebalance-total}, classic group protocol). */
    static long rebalances(final KafkaStreams streams) {
        double total = 0;
        boolean found = false;
        for (final Metric m : streams.metrics().values()) {
            if (m.metricName().name().equals("rebalance-total") && m.metricName().group().equals("consumer-coordinator-metrics")) {
                total += ((Number) m.metricValue()).doubleValue();
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException("no consumer-coordinator-metrics rebalance-total among Kafka Streams' metrics");
        }
        return Math.round(total);
    }

    /**
     * The healthy target's latencies in ns, sorted; a request that had not ended when the run
     * stopped waiting counts with its wait so far, so that the percentiles are lower bounds then,
     * never flattered by leaving the slowest out.
     */
    record Latencies(List<Long> sorted, int notEnded) {
    }

    /** What the burst measured. */
    record Burst(int ended, double perSec, Latencies other) {
    }

    /** The load of one run: requests to both targets, their terminal records, the healthy target's latencies. */
    private static final class Run {

        static final String SLOW_ID = "s";
        static final String FAST_ID = "f";

        private final BenchContext ctx;
        private final String input;
        private final OutputReader reader;
        private final KafkaProducer<String, byte[]> producer;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final AtomicInteger fastSent = new AtomicInteger();
        private int fastEnded;
        private int slowEnded;
        private long lastSlowAt;
        private List<Long> latencies = new ArrayList<>();

        Run(final BenchContext ctx, final String input, final OutputReader reader, final KafkaProducer<String, byte[]> producer) {
            this.ctx = ctx;
            this.input = input;
            this.reader = reader;
            this.producer = producer;
        }

        /**
         * Not measured: a burst like the measured one at a third target with the same slots and short
         * calls (its requests parked, resumed and answered as the burst's will be), with a tenth of it
         * for the healthy target and a few for the saturated one, in a fresh JVM.
         */
        void warmUp() {
            for (int i = 0; i < WARM_UP; i++) {
                send("w" + i, i % 10 == 0 ? "fast" : i % 100 == 1 ? "slow" : "warm");
            }
            producer.flush();
            reader.readUntil(WARM_UP, Duration.ofSeconds(120), r -> { }, () -> ctx.progress("warm-up: " + reader.count() + "/" + WARM_UP));
            if (reader.count() < WARM_UP) {
                throw new IllegalStateException("warm-up: only " + reader.count() + " of " + WARM_UP + " requests ended");
            }
        }

        /** The healthy target's trickle alone for {@link #ALONE}; returns its latencies. */
        Latencies trickleAlone() throws InterruptedException {
            final int n = (int) (TRICKLE_RATE * ALONE.toSeconds());
            final Thread trickle = trickle(() -> fastSent.get() < n);
            trickle.start();
            reader.readWhile(() -> fastEnded < n, Duration.ofSeconds(30), System.nanoTime() + ALONE.multipliedBy(4).toNanos(),
                    this::ended, () -> ctx.progress("healthy target alone: " + fastEnded + "/" + n));
            trickle.join();
            return takeLatencies();
        }

        /** {@link #N} requests to the saturated target at once, with the trickle beside them until they have ended. */
        Burst burst() throws InterruptedException {
            final AtomicBoolean burstOver = new AtomicBoolean();
            final long start = System.nanoTime();
            lastSlowAt = start;
            for (int i = 0; i < N; i++) {
                send(SLOW_ID + i, "slow");
            }
            producer.flush();
            final Thread trickle = trickle(() -> !burstOver.get());
            trickle.start();
            // at the ceiling the burst takes N / 80 s; three times that is plenty for a dispatcher that works
            final long deadline = start + (long) (3e9 * N * SLOW.toMillis() / 1000.0 / SLOTS);
            try {
                reader.readWhile(() -> slowEnded < N, Duration.ofSeconds(60), deadline, this::ended,
                        () -> ctx.progress("saturated: " + slowEnded + "/" + N + " ended, healthy " + fastEnded + "/" + fastSent.get()));
            } finally {
                burstOver.set(true);
                trickle.join();
            }
            reader.readWhile(() -> fastEnded < fastSent.get(), Duration.ofSeconds(20), System.nanoTime() + TAIL.toNanos(), this::ended,
                    () -> ctx.progress("healthy target: " + fastEnded + "/" + fastSent.get()));
            return new Burst(slowEnded, slowEnded / ((lastSlowAt - start) / 1e9), takeLatencies());
        }

        private Thread trickle(final java.util.function.BooleanSupplier more) {
            return new Thread(() -> {
                final Pacer pacer = new Pacer(TRICKLE_RATE);
                for (int i = 0; more.getAsBoolean(); i++) {
                    pacer.awaitSlot(i);
                    final String id = FAST_ID + fastSent.get();
                    sentAt.put(id, System.nanoTime());
                    send(id, "fast");
                    fastSent.incrementAndGet();
                }
                producer.flush();
            }, "saturation-trickle");
        }

        private void send(final String id, final String target) {
            producer.send(new ProducerRecord<>(input, id, BenchContext.request(id, target, "", 600_000)));
        }

        private void ended(final ConsumerRecord<String, byte[]> r) {
            final long now = System.nanoTime();
            if (r.key().startsWith(SLOW_ID)) {
                slowEnded++;
                lastSlowAt = now;
            } else if (r.key().startsWith(FAST_ID)) {
                fastEnded++;
                final Long sent = sentAt.remove(r.key());
                if (sent != null) {
                    latencies.add(now - sent);
                }
            }
        }

        /** The latencies so far, with those not ended at their wait until now; starts over. */
        private Latencies takeLatencies() {
            final long now = System.nanoTime();
            final List<Long> sorted = latencies;
            final int notEnded = sentAt.size();
            sentAt.values().forEach(sent -> sorted.add(now - sent));
            sentAt.clear();
            Collections.sort(sorted);
            latencies = new ArrayList<>();
            return new Latencies(sorted, notEnded);
        }
    }
}
