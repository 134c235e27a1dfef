package dev.rebound.bench;

import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.CircuitState;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.Pacer;
import dev.rebound.demo.RampShares;
import dev.rebound.demo.TerminalCounter;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.recovery.HealthState;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code recovery}: a paced load, the target (and its /health) down for 20 s, then healthy. How long
 * until full traffic returns after the outage ends, and the share of requests admitted while each
 * ramp step was in force, counted from the terminal records.
 */
final class RecoveryRamp implements Scenario {

    static final Duration OUTAGE = Duration.ofSeconds(20);
    static final int RATE = 100;

    @Override
    public String name() {
        return "recovery";
    }

    @Override
    public String setup() {
        return RATE + " requests/s, 20 s outage then healthy; checks every 1s, steps 10/25/50/100 % every 5 s";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(3);
        final Topics topics = BenchContext.topics(prefix);
        final Map<String, Object> client = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap());
        try (Simulator sim = Simulator.start(0, SimScenario.named("healthy"), 6)) {
            final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + """
                    targets:
                      llm:
                        url: "http://127.0.0.1:%d/v1/chat"
                        timeout: 2s
                        retry: { maxAttempts: 1 }
                        circuit: { consecutiveFailures: 5, minCalls: 20 }
                        recovery: { healthUrl: "http://127.0.0.1:%d/health", interval: 1s, degradeAfter: 2, recoverAfter: 2,
                                    rampSteps: [10, 25, 50, 100], stepEvery: 5s }
                        fallback:
                          - { static: { content: "degraded answer" } }
                    """.formatted(sim.port(), sim.port()));
            final AtomicBoolean producing = new AtomicBoolean(true);
            final AtomicInteger sent = new AtomicInteger();
            final Instant outageEnds;
            try (ReboundStreams rebound = ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(),
                    Clock.systemUTC()), new ReboundMetrics());
                 TerminalCounter counter = new TerminalCounter(ctx.bootstrap(), topics.results(), topics.deadLetters());
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                final Thread load = new Thread(() -> {
                    final Pacer pacer = new Pacer(RATE);
                    while (producing.get()) {
                        final int i = sent.getAndIncrement();
                        producer.send(new ProducerRecord<>(topics.calls(), "k" + i, BenchContext.request("r" + i, "llm", "", 600_000)));
                        pacer.awaitSlot(i + 1);
                    }
                    producer.flush();
                }, "recovery-load");
                load.start();
                Thread.sleep(2_000); // healthy traffic first (this is the bench's driver thread): the timeline starts CLOSED
                sim.outageFor(OUTAGE);
                outageEnds = Instant.now().plus(OUTAGE);
                final long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (closedAfter(client, topics, outageEnds) == null && System.nanoTime() < until) {
                    counter.poll(Duration.ofMillis(500));
                    ctx.progress("outage and ramp: " + sent.get() + " sent, " + counter.terminalKeys() + " ended");
                }
                Thread.sleep(2_000);
                producing.set(false);
                load.join();
                final long idle = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (counter.terminalKeys() < sent.get() && System.nanoTime() < idle) {
                    counter.poll(Duration.ofMillis(200));
                }
                final CircuitRecord closed = closedAfter(client, topics, outageEnds);
                if (closed == null) {
                    throw new IllegalStateException("the circuit did not close within 120 s of the outage");
                }
                final List<CircuitRecord> timeline = timeline(client, topics);
                final List<RampShares.Step> steps = RampShares.measure(timeline, counter.decisions(), Duration.ofMillis(300));
                final Map<String, Object> perStep = new LinkedHashMap<>();
                for (final RampShares.Step s : steps) {
                    if (s.health() == HealthState.RECOVERING && !s.from().isBefore(outageEnds.minusSeconds(1))) {
                        perStep.put(s.percent() + "%", Bench.round(s.share(), 1));
                    }
                }
                final Map<String, Object> f = new LinkedHashMap<>();
                f.put("secondsToFullTraffic", Bench.round(Duration.between(outageEnds, closed.since()).toMillis() / 1000.0, 1));
                f.put("maxAdmittedPercentBeforeStep", perStep);
                return f;
            }
        }
    }

    private static List<CircuitRecord> timeline(final Map<String, Object> client, final Topics topics) {
        return TopicSnapshot.read(client, topics.circuits(), Duration.ofSeconds(20)).stream().filter(r -> "llm".equals(r.key()))
                .map(r -> Json.read(r.value(), CircuitRecord.class)).toList();
    }

    /** The CLOSED record published after the outage ended, if any. */
    private static CircuitRecord closedAfter(final Map<String, Object> client, final Topics topics, final Instant outageEnds) {
        return timeline(client, topics).stream().filter(r -> r.state() == CircuitState.CLOSED && r.since().isAfter(outageEnds))
                .findFirst().orElse(null);
    }
}
