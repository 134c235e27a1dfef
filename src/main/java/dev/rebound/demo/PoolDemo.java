package dev.rebound.demo;

import dev.rebound.admin.EmbeddedKafka;
import dev.rebound.admin.TopicSpec;
import dev.rebound.app.ReboundStreams;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.Pool;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * {@code rebound demo --scenario pool}: a pool of three simulated endpoints ({@code east},
 * {@code west}, {@code north}, weighted 3/1/1, each its own simulator) behind one target,
 * {@value #TARGET}; a paced load; {@code west} answers every call with 503 through the middle of
 * the load ({@link #OUTAGE_FROM} to {@link #OUTAGE_TO} of it). The summary shows each endpoint's
 * share of the calls per interval, counted where the calls arrive (the simulators), so the pool's
 * claims can be read off it: 60/20/20 by weight, {@code west} at about 0% once its own circuit
 * opened (its calls retried on the others), back when its circuit closes, nothing lost.
 *
 * <p>The endpoints' circuit is quick for a demo ({@code openFor: 3s}): during an 8 s outage
 * {@code west} is probed now and then and refused again; after it, it is back within seconds.
 */
final class PoolDemo {

    static final String TARGET = "sim-pool";
    static final String FAILING = "west";
    /** The share of the load's duration at which the outage begins, and ends. */
    static final double OUTAGE_FROM = 0.3;
    static final double OUTAGE_TO = 0.7;
    /** The pace when the user asked for none: the outage is placed in time, so the load must be spread over time. */
    static final double DEFAULT_RATE = 50;
    private static final long TIMEOUT_MS = 30_000;

    private PoolDemo() {
    }

    static Map<String, Integer> weights() {
        final Map<String, Integer> w = new LinkedHashMap<>();
        w.put("east", 3);
        w.put(FAILING, 1);
        w.put("north", 1);
        return Collections.unmodifiableMap(w);
    }

    /** Seconds per line of the share table: about ten lines, 1 to 5 s each. */
    static double interval(final double loadSeconds) {
        return Math.max(1, Math.min(5, Math.round(loadSeconds / 10)));
    }

    static DemoSummary run(final Demo.Options o, final PrintStream out, final ProgressLine progress) throws Exception {
        final double rate = o.rate() > 0 ? o.rate() : DEFAULT_RATE;
        final double loadSeconds = o.requests() / rate;
        final Duration outage = Duration.ofMillis(Math.round(loadSeconds * (OUTAGE_TO - OUTAGE_FROM) * 1000));
        final Map<String, Simulator> sims = new LinkedHashMap<>();
        final Path state = Files.createTempDirectory("rebound-demo-pool-state");
        try {
            long seed = 42;
            for (final String e : weights().keySet()) {
                sims.put(e, Simulator.start(0, SimScenario.named("healthy"), seed++));
            }
            out.println("  endpoints of " + TARGET + ": " + String.join(", ", sims.entrySet().stream().map(e -> e.getKey() + " (weight "
                    + weights().get(e.getKey()) + ") at " + e.getValue().url("/v1/chat")).toList()));
            out.printf("  %s will answer 503 from %.0f s to %.0f s of the load%n", FAILING, loadSeconds * OUTAGE_FROM, loadSeconds * OUTAGE_TO);
            out.println("  starting an embedded Kafka broker (KRaft) ...");
            try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
                final ReboundConfig config = new ConfigLoader(System::getenv).parse(yaml(kafka.bootstrapServers(), state, sims, o));
                kafka.createTopics(TopicSpec.newTopics(config.topicPrefix(), o.partitions(), config.retries().tiers()));
                final ReboundMetrics metrics = new ReboundMetrics();
                try (ReboundStreams processor = ReboundStreams.start(config,
                        TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), metrics, Map.of());
                     TerminalCounter counter = new TerminalCounter(kafka.bootstrapServers(), new Topics(config.topicPrefix()).results(),
                             new Topics(config.topicPrefix()).deadLetters())) {
                    processor.awaitRunning(Duration.ofSeconds(60));
                    out.println("  processor running (exactly_once_v2); producing " + o.requests() + " requests at " + rate + " per second ...");
                    return load(o, rate, loadSeconds, outage, sims, kafka.bootstrapServers(), new Topics(config.topicPrefix()), processor,
                            metrics, counter, progress);
                }
            }
        } finally {
            sims.values().forEach(Simulator::close);
            deleteQuietly(state);
        }
    }

    private static DemoSummary load(final Demo.Options o, final double rate, final double loadSeconds, final Duration outage,
                                    final Map<String, Simulator> sims, final String bootstrap, final Topics topics,
                                    final ReboundStreams processor, final ReboundMetrics metrics, final TerminalCounter counter,
                                    final ProgressLine progress) {
        final Map<String, LongSupplier> counters = new LinkedHashMap<>();
        sims.forEach((e, s) -> counters.put(e, s::calls));
        final double[] outageAt = {Double.NaN};
        try (EndpointSampler sampler = new EndpointSampler(counters, 250)) {
            final long started = System.nanoTime();
            final CompletableFuture<Void> produced = CompletableFuture.runAsync(() -> produce(bootstrap, topics.calls(), o.requests(), rate,
                    i -> {
                        if (i == Math.round(o.requests() * OUTAGE_FROM)) {
                            sampler.sample();
                            sims.get(FAILING).outageFor(outage);
                            outageAt[0] = sampler.second();
                        }
                    }));
            final List<DemoReport.Sample> samples = new ArrayList<>();
            final String failing = Pool.name(TARGET, FAILING);
            final long lastTerminal = Demo.await(counter, o, progress, processor.streams(), failing, metrics, started, samples,
                    () -> line(counter, o.requests(), sims, Demo.circuitRecord(processor.streams(), failing)));
            produced.join();
            counter.poll(Duration.ofSeconds(1)); // a duplicate would arrive after the first copy
            sampler.sample();
            final double outageFrom = Double.isNaN(outageAt[0]) ? loadSeconds * OUTAGE_FROM : outageAt[0];
            final EndpointShares.Timeline pool = new EndpointShares.Timeline(TARGET, weights(), FAILING, outageFrom,
                    outageFrom + outage.toMillis() / 1000.0, EndpointShares.every(trimmed(sampler.samples()), interval(loadSeconds)));
            final long calls = sims.values().stream().mapToLong(Simulator::calls).sum();
            return new DemoSummary(o.requests(), counter.outcome("SUCCEEDED"), counter.outcome("FALLBACK"), counter.outcome("DEAD_LETTER"),
                    calls, 0, o.requests() - counter.terminalKeys(), counter.duplicated(), 0, counter.reasons(), counter.servedBy(),
                    List.of(), samples, (lastTerminal - started) / 1e9, counter.outcome("SUCCEEDED") + counter.outcome("FALLBACK"),
                    ChaosSummary.NONE, pool);
        }
    }

    /** The samples up to the last call: after it the intervals would only say that nothing was called. */
    private static List<EndpointShares.Sample> trimmed(final List<EndpointShares.Sample> samples) {
        final long last = samples.isEmpty() ? 0 : total(samples.get(samples.size() - 1));
        final List<EndpointShares.Sample> out = new ArrayList<>();
        for (final EndpointShares.Sample s : samples) {
            out.add(s);
            if (total(s) == last) {
                break;
            }
        }
        return out;
    }

    private static long total(final EndpointShares.Sample s) {
        return s.calls().values().stream().mapToLong(Long::longValue).sum();
    }

    private static String line(final TerminalCounter c, final int total, final Map<String, Simulator> sims, final CircuitRecord west) {
        final StringBuilder calls = new StringBuilder();
        sims.forEach((e, s) -> calls.append(' ').append(e).append(' ').append(s.calls()));
        return String.format("  [%6d/%d] succeeded %d  dead-lettered %d  calls%s  %s circuit %s", c.terminalKeys(), total,
                c.outcome("SUCCEEDED"), c.outcome("DEAD_LETTER"), calls, FAILING, west == null ? "CLOSED" : west.state());
    }

    /** Produces {@code n} requests to the pool at {@code rate}, telling {@code before} each index first. */
    private static void produce(final String bootstrap, final String topic, final int n, final double rate,
                                final java.util.function.IntConsumer before) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true", ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"),
                new StringSerializer(), new ByteArraySerializer())) {
            final Pacer pacer = new Pacer(rate);
            for (int i = 0; i < n; i++) {
                pacer.awaitSlot(i);
                before.accept(i);
                final String id = "pool-" + i;
                producer.send(new ProducerRecord<>(topic, "agent-" + i, ("{\"id\":\"" + id + "\",\"target\":\"" + TARGET
                        + "\",\"timeoutMs\":" + TIMEOUT_MS + ",\"payload\":{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"question " + i + "\"}]}}").getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /**
     * The pool: three endpoints, each its own simulator, weighted 3/1/1; Rebound's default retries;
     * each endpoint's circuit opens after 5 failures in a row and probes again after 3 s.
     */
    static String yaml(final String bootstrap, final Path state, final Map<String, Simulator> sims, final Demo.Options o) {
        final StringBuilder b = new StringBuilder("""
                kafka:
                  bootstrap.servers: "%s"
                  application.id: rebound-demo-pool
                  state.dir: "%s"
                ops: { enabled: false }
                targets:
                  %s:
                    balance: weighted
                    timeout: 2s
                    maxInFlight: 64
                    circuit: %s
                    endpoints:
                """.formatted(bootstrap, state, TARGET, o.circuit()
                ? "{ consecutiveFailures: 5, failureRate: 0.5, minCalls: 20, openFor: 3s, probes: 3 }" : "{ enabled: false }"));
        sims.forEach((e, s) -> b.append("      - { name: ").append(e).append(", url: \"").append(s.url("/v1/chat"))
                .append("\", weight: ").append(weights().get(e)).append(" }\n"));
        return b.toString();
    }

    private static void deleteQuietly(final Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final Exception ignored) {
            // a temp directory
        }
    }
}
