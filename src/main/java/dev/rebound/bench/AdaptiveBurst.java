package dev.rebound.bench;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code adaptive-burst}, the second figure of the rate-limit issue: a target that served 100
 * requests at once, was quiet for {@link #QUIET} and has just died (its calls fail with a 503 at
 * once) gets a burst of {@link #BURST} requests, 6 partitions, default circuit (it opens after 5
 * failures in a row; {@code openFor} long enough to outlast the measurement). Figures: the calls the
 * burst costs within 10 s with {@code rateLimit: { concurrency: auto }} ({@code callsAdaptive}) and
 * with a fixed {@code maxInFlight} of 64 ({@code callsFixed}).
 */
final class AdaptiveBurst implements Scenario {

    static final int BURST = 200;
    static final int PARTITIONS = 6;
    /** The quiet between the healthy traffic and the burst. */
    static final Duration QUIET = Duration.ofSeconds(2);

    @Override
    public String name() {
        return "adaptive-burst";
    }

    @Override
    public String setup() {
        return BURST + " requests at once at a target that has just died, 6 partitions, concurrency: auto vs maxInFlight 64";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("requests", BURST);
        f.put("callsAdaptive", burst(ctx, true, f));
        f.put("callsFixed", burst(ctx, false, f));
        return f;
    }

    /**
     * A target that has just died: {@link #BURST} requests at once whose calls all fail with a 503
     * at once, after healthy traffic; the calls they cost before its circuit opens and every task
     * hears of it (the circuit stays open for the rest of the measurement).
     */
    long burst(final BenchContext ctx, final boolean adaptive, final Map<String, Object> f) throws Exception {
        final String prefix = ctx.freshTopics(PARTITIONS);
        final Topics topics = BenchContext.topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(5)), 12)) {
            final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                    targets:
                      dying: { url: "http://127.0.0.1:%d/v1/chat", timeout: 10s, circuit: { openFor: 120s }%s }
                    """.formatted(sim.port(), adaptive ? ", rateLimit: { concurrency: auto }" : ""));
            ctx.progress("burst against a dying target" + (adaptive ? " (concurrency: auto)" : ""));
            try (ReboundStreams rebound = start(ctx, config);
                 OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topics.calls(), "w" + i, BenchContext.request("w" + i, "dying", "", 60_000)));
                }
                producer.flush();
                reader.readUntil(100, Duration.ofSeconds(30), r -> { }, () -> { });
                Thread.sleep(QUIET.toMillis()); // healthy a moment ago, quiet now: then it dies and the burst comes
                final long before = sim.calls();
                for (int i = 0; i < BURST; i++) {
                    producer.send(new ProducerRecord<>(topics.calls(), "d" + i, BenchContext.request("d" + i, "dying",
                            "{\"status\":503}", 60_000)));
                }
                producer.flush();
                final long start = System.nanoTime();
                final Map<String, Long> timeline = new LinkedHashMap<>();
                for (final long ms : new long[] {100, 250, 500, 1_000, 2_000, 5_000, 10_000}) {
                    while (System.nanoTime() - start < ms * 1_000_000L) {
                        Thread.sleep(5);
                    }
                    timeline.put(ms + "ms", sim.calls() - before);
                }
                f.put(adaptive ? "timelineAdaptive" : "timelineFixed", timeline);
                return sim.calls() - before;
            }
        }
    }

    private static ReboundStreams start(final BenchContext ctx, final ReboundConfig config) throws Exception {
        return ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), new ReboundMetrics());
    }
}
