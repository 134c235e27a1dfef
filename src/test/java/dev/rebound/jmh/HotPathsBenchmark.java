package dev.rebound.jmh;

import dev.rebound.circuit.CircuitWindow;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorClassifier;
import dev.rebound.classify.Failure;
import dev.rebound.config.CircuitPolicy;
import dev.rebound.config.Jitter;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.RetryPolicy;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.retry.Backoff;
import dev.rebound.testkit.Configs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Micro-benchmarks of the pure work done per request and per attempt. Run with {@code ./bench/jmh}
 * (all) or {@code ./bench/jmh HotPaths.classify} (one); these are nanosecond-scale figures, not
 * the throughput of the application, which {@code rebound bench} is for.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathsBenchmark {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ErrorClassifier classifier = ErrorClassifier.defaults();
    private final Failure rateLimited = new Failure.Http(429, Map.of("retry-after-ms", List.of("1500")),
            "{\"error\":{\"message\":\"Rate limit reached. Please try again in 1.5s.\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}");
    private final Failure reset = new Failure.Transport(Failure.TransportKind.RESET, "Connection reset");
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), Jitter.FULL);
    private final SplittableRandom random = new SplittableRandom(1);
    private final CircuitPolicy circuit = CircuitPolicy.DEFAULT;
    private CircuitWindow window = CircuitWindow.empty(circuit);
    private long tick;
    private final ReboundConfig config = Configs.twoTargets("http://127.0.0.1:1");
    private final RequestParser parser = new RequestParser(config.targets(), config.limits());
    private final byte[] request = ("{\"id\":\"req-7f3a\",\"target\":\"llm\",\"timeoutMs\":30000,\"payload\":{\"model\":\"m\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}]},\"metadata\":{\"agent\":\"planner\"}}")
            .getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public Classification classifyProviderBody() {
        return classifier.classify(rateLimited, NOW);
    }

    @Benchmark
    public Classification classifyTransportFailure() {
        return classifier.classify(reset, NOW);
    }

    @Benchmark
    public Duration backoffWithFullJitter() {
        return Backoff.wait(Backoff.delay(policy, 3, Optional.empty(), random), Optional.of(Duration.ofMillis(1500)));
    }

    @Benchmark
    public double circuitWindowUpdate() {
        final Instant at = NOW.plusMillis(tick++);
        window = window.record(at, (tick & 3) == 0, false, false, false);
        return window.failureRate(at);
    }

    @Benchmark
    public ParseResult parseRequest() {
        return parser.parse(request, NOW);
    }
}
