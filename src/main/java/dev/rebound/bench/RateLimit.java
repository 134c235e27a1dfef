package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.Json;
import dev.rebound.sim.ProviderLimit;
import dev.rebound.sim.ProviderLimitStats;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ratelimit} (DESIGN §10): two processor instances, six partitions, a target with
 * {@code rateLimit: { requestsPerMinute: 600 }} in front of a simulated provider that enforces 600
 * calls over any 60 s and answers 429 above it; {@link #N} requests offered at once, one in
 * {@link #HIGH_EVERY} of them {@code high}, the others {@code low}. Figures:
 * <ul>
 *   <li>{@code observedPerMinute}: the provider's busiest 60 s; {@code ratio} = that over the limit;
 *       {@code meanPerMinute}: calls over the whole run, first to last;</li>
 *   <li>{@code provider429s}: what the provider had to refuse (the goal is none);</li>
 *   <li>{@code lost}, {@code duplicated}: requests without a terminal record, or with more than one;</li>
 *   <li>{@code highAnsweredAfterLaterLow}: high requests answered after some low request that was
 *       sent after them (by the terminal records' timestamps; the goal is none).</li>
 * </ul>
 * Then the second figure of the issue: a target that served 100 requests at once, was quiet for
 * {@link #QUIET} and has just died (its calls fail at once) gets a burst of {@link #BURST}
 * requests; {@code burstCallsAdaptive} counts the calls it costs in 10 s with
 * {@code concurrency: auto}, {@code burstCallsFixed} with a fixed {@code maxInFlight} of 64.
 */
final class RateLimit implements Scenario {

    static final int N = 2_000;
    static final int LIMIT = 600;
    static final int PARTITIONS = 6;
    static final int HIGH_EVERY = 5;
    static final int BURST = 200;
    /** The quiet between the healthy traffic and the burst. */
    static final Duration QUIET = Duration.ofSeconds(2);

    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public String setup() {
        return "2 instances, 6 partitions, requestsPerMinute " + LIMIT + ", " + N + " requests at once (1 in " + HIGH_EVERY
                + " high); then " + BURST + " at a target that just died";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final Map<String, Object> f = new LinkedHashMap<>();
        limit(ctx, f);
        f.put("burstCallsAdaptive", burst(ctx, true));
        f.put("burstCallsFixed", burst(ctx, false));
        f.put("burstRequests", BURST);
        return f;
    }

    private void limit(final BenchContext ctx, final Map<String, Object> f) throws Exception {
        final String prefix = ctx.freshTopics(PARTITIONS);
        final Topics topics = BenchContext.topics(prefix);
        try (Simulator sim = Simulator.start(0, SimScenario.fixedLatency(Duration.ofMillis(20))
                .withProviderLimit(ProviderLimit.requestsPerMinute(LIMIT)), 11)) {
            final String targets = """
                    targets:
                      llm: { url: "http://127.0.0.1:%d/v1/chat", timeout: 10s, rateLimit: { requestsPerMinute: %d } }
                    """.formatted(sim.port(), LIMIT);
            final ReboundConfig a = BenchContext.parse(ctx.instanceHeader(prefix, "a", BenchContext.freePort()) + targets);
            final ReboundConfig b = BenchContext.parse(ctx.instanceHeader(prefix, "b", BenchContext.freePort()) + targets);
            ctx.progress("starting two instances");
            try (ReboundStreams first = start(ctx, a); ReboundStreams second = start(ctx, b);
                 OutputReader reader = new OutputReader(ctx.bootstrap(), List.of(topics.results(), topics.deadLetters()));
                 KafkaProducer<String, byte[]> producer = ctx.producer()) {
                final long start = System.nanoTime();
                for (int i = 0; i < N; i++) {
                    final String id = "r" + i;
                    producer.send(new ProducerRecord<>(topics.calls(), id, request(id, i % HIGH_EVERY == 0 ? "high" : "low")));
                }
                producer.flush();
                final Map<String, Integer> terminals = new HashMap<>();
                final Map<String, Long> answeredAt = new HashMap<>();
                reader.readUntil(N, Duration.ofSeconds(60), r -> {
                    final String id = Json.read(r.value(), JsonNode.class).path("id").asText();
                    terminals.merge(id, 1, Integer::sum);
                    answeredAt.putIfAbsent(id, r.timestamp());
                }, () -> ctx.progress(terminals.size() + " of " + N + " answered, " + sim.calls() + " calls, "
                        + Math.round((System.nanoTime() - start) / 1e9) + " s"));
                final ProviderLimitStats stats = sim.providerLimitStats().orElseThrow();
                final List<Long> perMinute = stats.acceptedPerMinute();
                f.put("limitPerMinute", LIMIT);
                f.put("observedPerMinute", stats.maxAcceptedInWindow());
                f.put("ratio", Bench.round(stats.maxAcceptedInWindow() / (double) LIMIT, 3));
                f.put("meanPerMinute", Bench.round(stats.accepted() / Math.max(1e-9, (System.nanoTime() - start) / 6e10), 1));
                f.put("acceptedPerMinute", perMinute);
                f.put("provider429s", stats.refused());
                f.put("requests", N);
                f.put("calls", stats.accepted());
                f.put("lost", N - terminals.size());
                f.put("duplicated", terminals.values().stream().filter(n -> n > 1).count());
                f.put("highAnsweredAfterLaterLow", inversions(answeredAt));
            }
        }
    }

    /**
     * High requests answered after a low request that was sent after them: for each high {@code i},
     * whether some low {@code j > i} has an earlier terminal timestamp.
     */
    static long inversions(final Map<String, Long> answeredAt) {
        long earliestLaterLow = Long.MAX_VALUE;
        long count = 0;
        for (int i = N - 1; i >= 0; i--) {
            final Long at = answeredAt.get("r" + i);
            if (at == null) {
                continue;
            }
            if (i % HIGH_EVERY == 0) {
                if (at > earliestLaterLow) {
                    count++;
                }
            } else {
                earliestLaterLow = Math.min(earliestLaterLow, at);
            }
        }
        return count;
    }

    /**
     * A target that has just died: {@link #BURST} requests at once whose calls all fail with a 503
     * at once, after healthy traffic; the calls they cost before its circuit opens and every task
     * hears of it (the circuit stays open for the rest of the measurement).
     */
    private long burst(final BenchContext ctx, final boolean adaptive) throws Exception {
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
                final long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < until) {
                    Thread.sleep(100);
                }
                return sim.calls() - before;
            }
        }
    }

    private static ReboundStreams start(final BenchContext ctx, final ReboundConfig config) throws Exception {
        return ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), new ReboundMetrics());
    }

    private static byte[] request(final String id, final String priority) {
        return ("{\"id\":\"" + id + "\",\"target\":\"llm\",\"timeoutMs\":900000,\"priority\":\"" + priority
                + "\",\"payload\":{\"q\":\"" + id + "\"}}").getBytes(StandardCharsets.UTF_8);
    }
}
