package dev.rebound.sim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * How the simulated endpoint misbehaves. Probabilities are per call and drawn in the order listed,
 * then the {@link Misbehaviour}s in their declaration order; whatever is left over succeeds. During
 * the outage window every call gets 503 and the health endpoint reports unhealthy.
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
 * @param misbehaviours  share of each protocol-breaking answer (absent: none)
 * @param oversizedBytes how large an {@link Misbehaviour#OVERSIZED} body is, at least 1 KiB (default 2 MiB)
 * @param providerLimit  the rate limit the simulator enforces like a provider, on top of the
 *                       shares above (empty, the default: none); see {@link ProviderLimit}
 */
public record SimScenario(String name, Duration latencyMin, Duration latencyMax, double serverError, double rateLimited,
                          double overloaded, double timeout, double reset, double invalid,
                          Duration outageStart, Duration outageLength, Map<Misbehaviour, Double> misbehaviours,
                          int oversizedBytes, Optional<ProviderLimit> providerLimit) {

    public static final List<String> NAMES = List.of("healthy", "flaky", "rate-limit", "outage", "recovery", "chaos");

    /** The default size of an {@link Misbehaviour#OVERSIZED} body: twice Kafka's default record size. */
    public static final int DEFAULT_OVERSIZED_BYTES = 2 << 20;

    public SimScenario {
        misbehaviours = Map.copyOf(misbehaviours);
        misbehaviours.forEach((m, share) -> {
            if (share < 0 || share > 1) {
                throw new IllegalArgumentException("misbehaviours." + m.scriptName() + " must be a share between 0 and 1, was " + share);
            }
        });
        final double sum = serverError + rateLimited + overloaded + timeout + reset + invalid
                + misbehaviours.values().stream().mapToDouble(Double::doubleValue).sum();
        if (sum > 1.0 + 1e-9) {
            throw new IllegalArgumentException("failure shares add up to " + sum + ", over 1");
        }
        if (latencyMax.compareTo(latencyMin) < 0) {
            throw new IllegalArgumentException("latencyMax is below latencyMin");
        }
        if (oversizedBytes < 1024) {
            throw new IllegalArgumentException("oversizedBytes must be at least 1024, was " + oversizedBytes);
        }
        Objects.requireNonNull(providerLimit, "providerLimit");
    }

    /**
     * {@code name} if it is one of {@link #NAMES}, for a command-line option.
     *
     * @throws IllegalArgumentException naming the option and the choices
     */
    public static String requireName(final String option, final String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(option + " must be one of " + NAMES + ", was '" + name + "'");
        }
        return name;
    }

    /** A named scenario; the names are {@link #NAMES}. */
    public static SimScenario named(final String name) {
        final Duration none = Duration.ZERO;
        final Map<Misbehaviour, Double> behaved = Map.of();
        final int big = DEFAULT_OVERSIZED_BYTES;
        final Optional<ProviderLimit> free = Optional.empty();
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "healthy" -> new SimScenario("healthy", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, none, behaved, big, free);
            case "flaky" -> new SimScenario("flaky", ms(5), ms(60), 0.10, 0.05, 0.03, 0.01, 0.02, 0.02, none, none, behaved, big, free);
            case "rate-limit" -> new SimScenario("rate-limit", ms(5), ms(30), 0, 0.35, 0, 0, 0, 0, none, none, behaved, big, free);
            case "outage" -> new SimScenario("outage", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, Duration.ofDays(365), behaved, big, free);
            case "recovery" -> new SimScenario("recovery", ms(5), ms(30), 0, 0, 0, 0, 0, 0, none, Duration.ofSeconds(20), behaved, big, free);
            // flaky's failures, and every protocol-breaking answer at a small share on top
            case "chaos" -> new SimScenario("chaos", ms(5), ms(60), 0.10, 0.05, 0.03, 0.01, 0.02, 0.02, none, none, Map.of(
                    Misbehaviour.STALL_BODY, 0.02, Misbehaviour.HEADERS_NEVER, 0.01, Misbehaviour.OVERSIZED, 0.01,
                    Misbehaviour.OVERSIZED_ESCAPED, 0.01, Misbehaviour.INVALID_JSON, 0.02, Misbehaviour.RESET_MID_BODY, 0.02), big, free);
            default -> throw new IllegalArgumentException("unknown scenario '" + name + "'; choose one of " + NAMES);
        };
    }

    /** A scenario with a fixed latency and nothing else: for throughput measurements. */
    public static SimScenario fixedLatency(final Duration latency) {
        return new SimScenario("latency-" + latency.toMillis() + "ms", latency, latency, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO,
                Map.of(), DEFAULT_OVERSIZED_BYTES, Optional.empty());
    }

    /** This scenario with {@link Misbehaviour#OVERSIZED} bodies of {@code bytes}. */
    public SimScenario withOversizedBytes(final int bytes) {
        return new SimScenario(name, latencyMin, latencyMax, serverError, rateLimited, overloaded, timeout, reset, invalid, outageStart,
                outageLength, misbehaviours, bytes, providerLimit);
    }

    /**
     * This scenario on a simulator that enforces {@code limit} as a provider would, e.g.
     * {@code SimScenario.fixedLatency(ms(50)).withProviderLimit(ProviderLimit.requestsPerMinute(600))}.
     */
    public SimScenario withProviderLimit(final ProviderLimit limit) {
        return new SimScenario(name, latencyMin, latencyMax, serverError, rateLimited, overloaded, timeout, reset, invalid, outageStart,
                outageLength, misbehaviours, oversizedBytes, Optional.of(limit));
    }

    /**
     * {@code next} with what belongs to the simulator rather than to a scenario kept from this
     * one: the oversized-body size and the provider limit, both fixed when the simulator started.
     */
    SimScenario keptIn(final SimScenario next) {
        return new SimScenario(next.name, next.latencyMin, next.latencyMax, next.serverError, next.rateLimited, next.overloaded,
                next.timeout, next.reset, next.invalid, next.outageStart, next.outageLength, next.misbehaviours, oversizedBytes,
                providerLimit);
    }

    /** The share of {@code m} (0 when the scenario has none of it). */
    public double share(final Misbehaviour m) {
        return misbehaviours.getOrDefault(m, 0.0);
    }

    /** The scenario's failure shares in words, for a start-up line: {@code 503 10%, 429 5%, ..., stallBody 2%}. */
    public String describe() {
        final StringJoiner j = new StringJoiner(", ");
        share(j, "503", serverError);
        share(j, "429", rateLimited);
        share(j, "529", overloaded);
        share(j, "no answer", timeout);
        share(j, "connection closed", reset);
        share(j, "400", invalid);
        for (final Misbehaviour m : Misbehaviour.values()) {
            share(j, m.scriptName(), share(m));
        }
        if (outageLength.compareTo(Duration.ofDays(1)) >= 0) {
            j.add("an outage for the whole run");
        } else if (outageLength.compareTo(Duration.ZERO) > 0) {
            j.add("an outage of " + outageLength.toSeconds() + " s after " + outageStart.toSeconds() + " s");
        }
        providerLimit.ifPresent(l -> j.add(l.describe()));
        return j.length() == 0 ? "every call succeeds" : j.toString();
    }

    private static void share(final StringJoiner j, final String what, final double share) {
        if (share > 0) {
            j.add(what + " " + Math.round(share * 1000) / 10.0 + "%");
        }
    }

    private static Duration ms(final long ms) {
        return Duration.ofMillis(ms);
    }
}
