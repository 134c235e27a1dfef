package dev.rebound.bench;

import dev.rebound.app.ReboundStreams;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.TargetPool;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.topology.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code delay}: 100 000 requests whose first attempt fails and whose retry waits {@link #WAIT}:
 * all of them pending in the timer store at once. How late the timers fire after their due time
 * (p99, from the {@code rebound_retry_fire_lateness} timer), and the heap of this whole JVM
 * (broker included) after a GC at the peak.
 */
final class Delay implements Scenario {

    static final int N = 100_000;
    static final Duration WAIT = Duration.ofSeconds(75);
    private static final Classification DOWN = new Classification(ErrorCategory.SERVER_ERROR, 503, "bench: first attempt fails",
            Optional.empty());

    @Override
    public String name() {
        return "delay";
    }

    @Override
    public String setup() {
        return N + " requests failing once, each retry waiting " + WAIT.toSeconds() + " s in the timer store";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final Topics topics = BenchContext.topics(prefix);
        final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                retries: { maxPerSecond: 1000000 }
                targets:
                  llm:
                    url: "http://127.0.0.1:9/in-process"
                    maxInFlight: 10000
                    retry: { maxAttempts: 2, initialDelay: %ds, maxDelay: 5m, jitter: none, adaptive: { enabled: false } }
                    budget: { ratio: 1.0, minRetriesPerSecond: 10000 }
                    circuit: { enabled: false }
                """.formatted(WAIT.toSeconds()));
        final ReboundMetrics metrics = new ReboundMetrics();
        long peak = 0;
        double heapMb = 0;
        try (ReboundStreams rebound = ctx.start(config, TargetPool.of(config, t -> spec -> spec.attempt() == 1
                        ? CompletableFuture.completedFuture(new CallOutcome.Failed(DOWN, Instant.now(), 0))
                        : Passthrough.instant().call(spec)), metrics);
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()))) {
            try (KafkaProducer<String, byte[]> producer = ctx.producer()) {
                for (int i = 0; i < N; i++) {
                    producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request("d" + i, "llm", "", 600_000)));
                }
            }
            final long until = System.nanoTime() + WAIT.plusSeconds(240).toNanos();
            while (reader.count() < N && System.nanoTime() < until) {
                reader.readUntil(reader.count() + 1, Duration.ofMillis(500), r -> { }, () -> { });
                final long fired = fired(metrics);
                final long pending = scheduled(metrics) - fired;
                peak = Math.max(peak, pending);
                if (heapMb == 0 && (pending >= N || fired > 0)) {
                    heapMb = heapAfterGc(); // at the peak: everything waiting, or the first timer about to fire
                }
                ctx.progress(reader.count() + "/" + N + " done, " + pending + " waiting, peak " + peak);
            }
            if (reader.count() < N) {
                throw new IllegalStateException("only " + reader.count() + " of " + N + " requests ended");
            }
        }
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("firePrecisionP99Ms", Bench.round(metrics.retryFireLatenessP99Ms(), 1));
        f.put("heapMb", Math.round(heapMb));
        if (peak < N) {
            ctx.note("at most " + peak + " retries were pending at once (the first fired before the last was scheduled)");
        }
        return f;
    }

    private static long scheduled(final ReboundMetrics m) {
        return Math.round(m.registry().find("rebound.retries").counters().stream().mapToDouble(Counter::count).sum());
    }

    private static long fired(final ReboundMetrics m) {
        final Timer t = m.registry().find("rebound.retry.fire.lateness").timer();
        return t == null ? 0 : t.count();
    }

    private static double heapAfterGc() {
        System.gc();
        final Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) / (1024.0 * 1024.0);
    }
}
