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
* The second figure of the rate-limit issue, a burst against a dying target, is {@link AdaptiveBurst}.
 */
final class RateLimit implements Scenario {

    static final int N = 2_000;
    static final int LIMIT = 600;
    static final int PARTITIONS = 6;
    static final int HIGH_EVERY = 5;

    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public String setup() {
        return "2 instances, 6 partitions, requestsPerMinute " + LIMIT + ", " + N + " requests at once (1 in " + HIGH_EVERY
                + " high)";
    }

    @Override
    public Map<String, Object> run(final BenchContext ctx) throws Exception {
        final Map<String, Object> f = new LinkedHashMap<>();
        limit(ctx, f);
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

    private static ReboundStreams start(final BenchContext ctx, final ReboundConfig config) throws Exception {
        return ctx.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()), new ReboundMetrics());
    }

    private static byte[] request(final String id, final String priority) {
        return ("{\"id\":\"" + id + "\",\"target\":\"llm\",\"timeoutMs\":900000,\"priority\":\"" + priority
                + "\",\"payload\":{\"q\":\"" + id + "\"}}").getBytes(StandardCharsets.UTF_8);
    }
}
