package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.Pool;
import dev.rebound.config.ReboundConfig;
import dev.rebound.demo.EndpointSampler;
import dev.rebound.demo.EndpointShares;
import dev.rebound.demo.Pacer;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code pool} (DESIGN §10): one pool of three endpoints weighted 3/1/1 ({@code east}, {@code west},
 * {@code north}), each its own simulator with 20 ms calls; one instance, six partitions;
 * {@link #RATE} requests a second for {@link #END} seconds after the warm-up; {@code west} answers every call with
 * 503 for {@link #OUTAGE} from {@link #OUTAGE_AT}. Rebound's defaults throughout: balance
 * {@code weighted}, retries (3 attempts, the budget) and the circuit ({@code consecutiveFailures: 5},
 * {@code openFor: 30s}), which the pool applies to each endpoint.
 *
 * <p>Shares are counted where the calls arrive (each simulator's own counter, sampled every
 * {@link #SAMPLE_MS} ms and at the outage's edges), never from Rebound's reports. Figures:
 * <ul>
 *   <li>{@code sharePerEndpoint}: each endpoint's share of the calls outside the outage, in %:
 *       after a warm-up ({@link #WARMUP} of paced load, all answered) from the start to the outage, and from one second after
 *       {@code west} was called again to the end. Between the outage's end and that, {@code west}'s
 *       circuit is still open ({@code openFor} 30 s outlasts a 20 s outage): that stretch is
 *       {@code secondsOutAfterOutage}, its shares {@code shareWhileReopening};
 *       {@code shareErrorPoints}: the largest distance from 60/20/20 before and after;</li>
 *   <li>{@code callsToFailedEndpoint}: calls {@code west} received during its outage; the goal is
 *       its circuit's threshold (5) plus {@link #PROPAGATION_ALLOWANCE}: the calls {@code west}
 *       gets at its share of the rate (20 a second) in the 0.75 s an outcome takes to reach the
 *       endpoint's owner and its OPEN to come back to every task (two exactly-once hops, each a
 *       commit of about 100 ms, plus the calls in flight; the cluster-circuit test measures it);</li>
 *   <li>{@code openedAfterMs}: from the outage's start to the OPEN of {@code west}'s circuit on
 *       {@code agent-circuits};</li>
 *   <li>{@code shareDuringOutage}; {@code lost}, {@code duplicated}, {@code deadLettered} (counted
 *       from the output topics with {@code read_committed}); {@code retried}: results that took more
 *       than one attempt (each a call that failed on {@code west} and was answered by another).</li>
 * </ul>
 */
final class PoolBalance implements Scenario {

    static final int RATE = 100;
    /** Paced load before the measurement, answered in full before the clock starts. */
    static final Duration WARMUP = Duration.ofSeconds(10);
    static final Duration OUTAGE_AT = Duration.ofSeconds(15);
    static final Duration OUTAGE = Duration.ofSeconds(20);
    static final Duration END = Duration.ofSeconds(60);
    static final int PARTITIONS = 6;
    static final int THRESHOLD = 5;
    /** Calls at west's share of the rate (20/s) in the ~0.75 s an OPEN takes to reach every task. */
    static final int PROPAGATION_ALLOWANCE = 15;
    static final long SAMPLE_MS = 250;
    static final Map<String, Integer> WEIGHTS = weights();
    static final String FAILING = "west";

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public String setup() {
        return "pool of 3 endpoints weighted 3/1/1, " + RATE + " req/s for " + END.toSeconds() + " s, " + FAILING + " 503 for "
                + OUTAGE.toSeconds() + " s";
    }

    private static Map<String, Integer> weights() {
        final Map<String, Integer> w = new LinkedHashMap<>();
        w.put("east", 3);
        w.put("west", 1);
        w.put("north", 1);
        return java.util.Collections.unmodifiableMap(w);
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final String prefix = ctx.freshTopics(PARTITIONS);
        final Topics topics = BenchContext.topics(prefix);
        final Map<String, Simulator> sims = new LinkedHashMap<>();
        try {
            long seed = 21;
            for (final String e : WEIGHTS.keySet()) {
                sims.put(e, Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(20)), seed++));
            }
            final ReboundConfig config = BenchContext.parse(ctx.header(prefix) + targets(sims));
            ctx.progress("starting the instance");
            try (ReboundStreams rebound = ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                    new ReboundMetrics());
                 OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                return measure(ctx, sims, topics, reader, producer);
            }
        } finally {
            sims.values().forEach(Simulator::close);
        }
    }

    private Map<String, Object> measure(final BenchContext ctx, final Map<String, Simulator> sims, final Topics topics,
                                        final OutputReader reader, final KafkaProducer<String, byte[]> producer) throws Exception {
        final Map<String, Integer> terminals = new HashMap<>();
        final long[] deadLettered = {0};
        final long[] retried = {0};
        final Consumer<ConsumerRecord<String, byte[]>> count = r -> {
            final JsonNode v = Json.read(r.value(), JsonNode.class);
            terminals.merge(v.path("id").asText(), 1, Integer::sum);
            deadLettered[0] += r.topic().equals(topics.deadLetters()) ? 1 : 0;
            retried[0] += v.path("attempts").asInt(1) > 1 ? 1 : 0;
        };
        // warm-up, not counted in the shares: the JIT and the stream thread catch up before the clock starts
        final int warm = (int) (WARMUP.toSeconds() * RATE);
        final Pacer warmPacer = new Pacer(RATE);
        for (int i = 0; i < warm; i++) {
            warmPacer.awaitSlot(i);
            producer.send(new ProducerRecord<>(topics.calls(), "w" + i, BenchContext.request("w" + i, "llm", "", 120_000)));
        }
        producer.flush();
        reader.readUntil(warm, Duration.ofSeconds(60), count, () -> ctx.progress("warm-up: " + terminals.size() + " of " + warm + " answered"));
        retried[0] = 0;
        final Map<String, LongSupplier> counters = new LinkedHashMap<>();
        sims.forEach((e, s) -> counters.put(e, s::calls));
        final int n = (int) (END.toSeconds() * RATE);
        double outageAt = Double.NaN;
        double outageEnd = Double.NaN;
        long outageAtMs = 0;
        try (EndpointSampler sampler = new EndpointSampler(counters, SAMPLE_MS)) {
            final Pacer pacer = new Pacer(RATE);
            for (int i = 0; i < n; i++) {
                pacer.awaitSlot(i);
                final double now = sampler.second();
                if (Double.isNaN(outageAt) && now >= OUTAGE_AT.toSeconds()) {
                    sampler.sample(); // the outage's edges are sampled exactly, not to the nearest period
                    sims.get(FAILING).outageFor(OUTAGE);
                    outageAtMs = System.currentTimeMillis();
                    outageAt = sampler.second();
                } else if (!Double.isNaN(outageAt) && Double.isNaN(outageEnd) && now >= outageAt + OUTAGE.toSeconds()) {
                    sampler.sample();
                    outageEnd = sampler.second();
                }
                final String id = "p" + i;
                producer.send(new ProducerRecord<>(topics.calls(), id, BenchContext.request(id, "llm", "", 120_000)));
                if (i % RATE == 0) {
                    ctx.progress(String.format("%d of %d sent, calls %s%s", i, n, sims.values().stream().map(s -> String.valueOf(s.calls()))
                            .toList(), sims.get(FAILING).inOutage() ? ", " + FAILING + " down" : ""));
                }
            }
            producer.flush();
            reader.readUntil(warm + n, Duration.ofSeconds(60), count, () -> ctx.progress(terminals.size() + " of " + (warm + n) + " answered"));
            final Map<String, Object> f = new LinkedHashMap<>();
            f.put("requests", n);
            f.put("warmupRequests", warm);
            f.put("ratePerSec", RATE);
            f.put("weights", WEIGHTS);
            figures(f, sampler.samples(), outageAt, outageEnd, sampler.second());
            final long outageStartedMs = outageAtMs;
            f.put("openedAfterMs", openedAt(ctx, topics).map(t -> t.toEpochMilli() - outageStartedMs).orElse(null));
            f.put("lost", warm + n - terminals.size());
            f.put("duplicated", terminals.values().stream().filter(c -> c > 1).count());
            f.put("deadLettered", deadLettered[0]);
            f.put("retried", retried[0]);
            return f;
        }
    }

    /** When the failing endpoint's circuit first opened, by its records on {@code agent-circuits}. */
    private static Optional<Instant> openedAt(final BenchContext ctx, final Topics topics) {
        for (final ConsumerRecord<String, byte[]> r : TopicSnapshot.read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrap()),
                topics.circuits(), Duration.ofSeconds(30))) {
            final JsonNode v = Json.read(r.value(), JsonNode.class);
            if (Pool.name("llm", FAILING).equals(r.key()) && "OPEN".equals(v.path("state").asText())) {
                return Optional.of(Instant.parse(v.path("since").asText()));
            }
        }
        return Optional.empty();
    }

    /** The share figures, from the simulators' own counts: before, during and after the outage. */
    static void figures(final Map<String, Object> f, final List<EndpointShares.Sample> samples, final double outageAt,
                        final double outageEnd, final double end) {
        final EndpointShares.Interval before = EndpointShares.between(samples, 0, outageAt);
        final EndpointShares.Interval during = EndpointShares.between(samples, outageAt, outageEnd);
        final double back = EndpointShares.nextCallAfter(samples, FAILING, outageEnd);
        final double afterFrom = Double.isNaN(back) ? end : back + 1;
        final EndpointShares.Interval reopening = EndpointShares.between(samples, outageEnd, afterFrom);
        final EndpointShares.Interval after = EndpointShares.between(samples, afterFrom, end);
        f.put("sharePerEndpoint", before.plus(after).percents());
        f.put("shareErrorPoints", Bench.round(Math.max(before.errorPoints(WEIGHTS),
                after.total() == 0 ? 100 : after.errorPoints(WEIGHTS)), 2));
        f.put("shareBefore", before.percents());
        f.put("shareAfter", after.percents());
        f.put("callsOutside", before.total() + after.total());
        f.put("callsToFailedEndpoint", during.calls().getOrDefault(FAILING, 0L));
        f.put("circuitThreshold", THRESHOLD);
        f.put("shareDuringOutage", during.percents());
        f.put("outageSeconds", Bench.round(outageEnd - outageAt, 2));
        f.put("secondsOutAfterOutage", Double.isNaN(back) ? null : Bench.round(back - outageEnd, 2));
        f.put("shareWhileReopening", reopening.percents());
    }

    private static String targets(final Map<String, Simulator> sims) {
        final StringBuilder b = new StringBuilder("targets:\n  llm:\n    balance: weighted\n    timeout: 10s\n    endpoints:\n");
        sims.forEach((e, s) -> b.append("      - { name: ").append(e).append(", url: \"").append(s.url("/v1/chat"))
                .append("\", weight: ").append(WEIGHTS.get(e)).append(" }\n"));
        return b.toString();
    }
}
