package dev.rebound.ops;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How the simulated endpoint misbehaves. Probabilities are per call and drawn in the order listed;
 * whatever is left over succeeds. During the outage window every call gets 503 and the health
 * endpoint reports unhealthy.
 *
 * @param latencyMin     least added latency of a call
 * @param latencyMax     most added latency of a call
 * @param serverError    share of calls answered 503 with an OpenAI-style {@code server_error} body
 * @param rateLimited    share answered 429 with {@code retry-after-ms}, {@code Retry-After} or
 *                       {@code x-ratelimit-reset-requests}, in turn
 * @param overloaded     share answered 529 with an Anthropic {@code overloaded_error} body
 * @param timeout        share that never answer within the client's timeout
 * @param reset          share whose connection is closed without a response
 * @param invalid        share answered 400 {@code context_length_exceeded}
 * @param outageStart    when, after the simulator starts, the outage begins
 * @param outageLength   how long it lasts ({@link Duration#ZERO} for none)
 */
public record SimScenario(String name, Duration latencyMin, Duration latencyMax, double serverError, double rateLimited,
                          double overloaded, double timeout, double reset, double invalid,
                          Duration outageStart, Duration outageLength) {

    public static final List<String> NAMES = List.of("healthy", "flaky", "rate-limit", "outage", "recovery");

    public SimScenario {
        final double sum = serverError + rateLimited + overloaded + timeout + reset + invalid;
        if (sum > 1.0 + 1e-9) {
            throw new IllegalArgumentException("failure shares add up to " + sum + ", over 1");
        }
        if (latencyMax.compareTo(latencyMin) < 0) {
            throw new IllegalArgumentException("latencyMax is below latencyMin");
        }
    }

    /** A named scenario; the names are {@link #NAMES}. */
    public static SimScenario named(final String name) {
        final Duration none = Duration.ZERO;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "healthy" -> new SimScenario("healthy", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, none);
            case "flaky" -> new SimScenario("flaky", ms(5), ms(60), 0.10, 0.05, 0.03, 0.01, 0.02, 0.02, none, none);
            case "rate-limit" -> new SimScenario("rate-limit", ms(5), ms(30), 0, 0.35, 0, 0, 0, 0, none, none);
            case "outage" -> new SimScenario("outage", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, Duration.ofDays(365));
            case "recovery" -> new SimScenario("recovery", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, Duration.ofSeconds(20));
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'; choose one of " + NAMES);
        };
    }

    /** A scenario with a fixed latency and nothing else: for throughput measurements. */
    public static SimScenario fixedLatency(final Duration latency) {
        return new SimScenario("latency-" + latency.toMillis() + "ms", latency, latency, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO);
    }

    private static Duration ms(final long ms) {
        return Duration.ofMillis(ms);
    }
}
