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
 * {@code outage}: the target answers 503 to every call for the whole run, retries on. Rebound
 * with its defaults (retry budget, adaptive retry, cluster circuit) against the seed's naive
 * policy (3 attempts each, nothing else), side by side: how many calls each request costs a
 * service that is down.
 */
final class Outage implements Scenario {

    static final int N = 2_000;

    @Override
    public String name() {
        return "outage";
    }

    @Override
    public String setup() {
        return N + " requests, every call answered 503; Rebound's defaults vs 3 attempts each";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final long calls = calls(ctx, "rebound", "", 4_000);
        final long naive = calls(ctx, "naive", """
                    budget: { ratio: 1.0, minRetriesPerSecond: 10000 }
                    circuit: { enabled: false }
                retries: { maxPerSecond: 1000000 }
                """, 120_000);
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("requests", N);
        f.put("downstreamCalls", calls);
        f.put("amplification", Bench.round((double) calls / N, 3));
        f.put("naiveAmplification", Bench.round((double) naive / N, 3));
        return f;
    }

    /** Runs N requests against a dead target with the default policy plus {@code extra}; returns the calls made. */
    private long calls(final BenchContext ctx, final String what, final String extra, final long timeoutMs) throws Exception {
        final String prefix = ctx.freshTopics(3);
        try (Simulator sim = Simulator.start(0, SimScenario.named("outage"), 5)) {
            final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                    targets:
                      llm:
                        url: "http://127.0.0.1:%d/v1/chat"
                        timeout: 5s
                        retry: { maxAttempts: 3, initialDelay: 200ms, multiplier: 2.0, jitter: full%s }
                    %s""".formatted(sim.port(), extra.isEmpty() ? "" : ", adaptive: { enabled: false }", extra));
            final Topics topics = BenchContext.topics(prefix);
            try (ReboundStreams rebound = ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                    new ReboundMetrics());
                 OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                for (int i = 0; i < N; i++) {
                    // Rebound's requests get 4 s: those its circuit keeps waiting end by then; the naive run's get
                    // long enough for all 3 attempts, so that the deadline does not cut its amplification
                    producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request(what + i, "llm", "", timeoutMs)));
                }
                producer.flush();
                reader.readUntil(N, Duration.ofSeconds(60), r -> { }, () -> ctx.progress(what + ": " + reader.count() + "/" + N
                        + " ended, " + sim.calls() + " calls"));
                if (reader.count() < N) {
                    throw new IllegalStateException(what + ": only " + reader.count() + " of " + N + " requests ended");
                }
                return sim.calls();
            }
        }
    }
}
