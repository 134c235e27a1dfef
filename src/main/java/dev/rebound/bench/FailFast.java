package dev.rebound.bench;

import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.CircuitState;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.Pacer;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.recovery.HealthState;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code failfast}: the target's circuit is already OPEN (published on {@code agent-circuits}
 * before the processor starts); each request is answered by its fallback without a call. The
 * latency is measured end to end, from the producer's send to the moment a {@code read_committed}
 * consumer reads the result: what an agent waiting for the answer sees, commit interval included.
 */
final class FailFast implements Scenario {

    static final int N = 1_000;
    static final int RATE = 200;
    static final int WARM_UP = 2_000;

    @Override
    public String name() {
        return "failfast";
    }

    @Override
    public String setup() {
        return N + " requests at " + RATE + "/s, circuit already OPEN, static fallback; send to result read";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final Topics topics = BenchContext.topics(prefix);
        final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                targets:
                  llm:
                    url: "http://127.0.0.1:9/never-called"
                    fallback:
                      - { on: [CIRCUIT_OPEN], static: { content: "busy" } }
                """);
        final AtomicLong called = new AtomicLong();
        try (KafkaProducer<String, byte[]> producer = ctx.producer()) {
            final Instant now = Instant.now();
            final CircuitRecord open = new CircuitRecord("llm", CircuitState.OPEN, now, "opened for the benchmark", 0, 0, 0, 0,
                    now.plus(Duration.ofHours(1)), 0, null, HealthState.DEGRADED, 0);
            producer.send(new ProducerRecord<>(topics.circuits(), "llm", Json.bytes(open))).get();
        }
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try (ReboundStreams rebound = ctx.start(config, TargetPool.of(config, t -> spec -> {
                    called.incrementAndGet();
                    return Passthrough.instant().call(spec);
                }), new ReboundMetrics());
             OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
             KafkaProducer<String, byte[]> producer = ctx.producer()) {
            // warm-up, not measured: the same path on a cold JVM costs tens of times more
            for (int i = 0; i < WARM_UP; i++) {
                producer.send(new ProducerRecord<>(topics.calls(), "w" + i, BenchContext.request("w" + i, "llm", "", 600_000)));
            }
            producer.flush();
            reader.readUntil(WARM_UP, Duration.ofSeconds(60), r -> { }, () -> ctx.progress("warm-up: " + reader.count() + "/" + WARM_UP));
            final Thread load = new Thread(() -> {
                final Pacer pacer = new Pacer(RATE);
                for (int i = 0; i < N; i++) {
                    pacer.awaitSlot(i);
                    sentAt.put("k" + i, System.nanoTime());
                    producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request("f" + i, "llm", "", 600_000)));
                }
                producer.flush();
            }, "failfast-load");
            load.start();
            reader.readUntil(WARM_UP + N, Duration.ofSeconds(60), r -> {
                final Long t = sentAt.get(r.key());
                if (t != null) {
                    latencies.add(System.nanoTime() - t);
                }
            }, () -> ctx.progress("fail fast: " + (reader.count() - WARM_UP) + "/" + N));
            load.join();
        }
        if (called.get() > 0) {
            throw new IllegalStateException(called.get() + " call(s) reached the target through an OPEN circuit");
        }
        final List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        final Map<String, Object> f = new LinkedHashMap<>();
        f.put("p50Ms", Bench.round(Bench.percentile(sorted, 0.50) / 1e6, 1));
        f.put("p99Ms", Bench.round(Bench.percentile(sorted, 0.99) / 1e6, 1));
        return f;
    }
}
