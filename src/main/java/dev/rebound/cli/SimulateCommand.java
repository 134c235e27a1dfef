package dev.rebound.cli;

import dev.rebound.sim.ProviderLimit;
import dev.rebound.sim.ProviderLimitStats;
import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code rebound simulate}: the simulated LLM/tool endpoint on its own. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Serve a simulated LLM/tool API on 127.0.0.1 (POST /v1/chat, GET /health, GET /stats).")
public final class SimulateCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--port", defaultValue = "8090", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--scenario", defaultValue = "flaky",
            description = "healthy, flaky, rate-limit, outage, recovery, or chaos (flaky's failures plus stalled bodies, "
                    + "unanswered requests, oversized and non-JSON answers, connections closed mid-body) (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--oversized-bytes", defaultValue = "2097152",
            description = "Size of the oversized answers of the chaos scenario, in bytes (default ${DEFAULT-VALUE}).")
    int oversizedBytes;

    @Option(names = "--requests-per-minute", paramLabel = "N",
            description = "Enforce a provider's rate limit: accept a chat call only while fewer than N were accepted in the "
                    + "trailing 60 s, else answer 429 with Retry-After and x-ratelimit-* headers, as OpenAI does (default: no limit).")
    Integer requestsPerMinute;

    @Option(names = "--tokens-per-minute", paramLabel = "N",
            description = "With --requests-per-minute, limit tokens too: a call counts its body's max_tokens plus one per 4 bytes "
                    + "of body (default: no token limit).")
    Long tokensPerMinute;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed, for repeatable runs (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        final SimScenario named = SimScenario.named(scenario).withOversizedBytes(oversizedBytes);
        final SimScenario s = providerLimit().map(named::withProviderLimit).orElse(named);
        try (Simulator sim = Simulator.start(port, s, seed)) {
            System.out.println("simulated endpoint '" + scenario + "' at " + sim.url("/v1/chat") + " (Ctrl-C to stop)");
            System.out.println("  per call: " + s.describe());
            if (s.providerLimit().isPresent()) {
                System.out.println("  provider limit counters at " + sim.url("/stats") + " (providerLimit), and here once a minute");
                everyMinute(() -> sim.providerLimitStats().ifPresent(st -> System.out.println("  " + minuteLine(st))));
            }
            new CountDownLatch(1).await();
        }
        return 0;
    }

    /** The limit the options ask for, if any. */
    private Optional<ProviderLimit> providerLimit() {
        if (requestsPerMinute == null) {
            if (tokensPerMinute != null) {
                throw new IllegalArgumentException("--tokens-per-minute needs --requests-per-minute too");
            }
            return Optional.empty();
        }
        final ProviderLimit requests = ProviderLimit.requestsPerMinute(requestsPerMinute);
        return Optional.of(tokensPerMinute == null ? requests : requests.withTokensPerMinute(tokensPerMinute));
    }

    /** {@code minute 3: 600 accepted, 12 refused in all, at most 600 in any 60 s}, for the minute just ended. */
    static String minuteLine(final ProviderLimitStats st) {
        final List<Long> perMinute = st.acceptedPerMinute();
        final int ended = perMinute.size() - 2;
        final String minute = ended < 0 ? "minute 0 so far: " + perMinute.get(0) : "minute " + ended + ": " + perMinute.get(ended);
        return minute + " accepted; in all " + st.accepted() + " accepted, " + st.refused() + " refused (429), at most "
                + st.maxAcceptedInWindow() + " in any 60 s";
    }

    private static void everyMinute(final Runnable r) {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(t -> {
            final Thread th = new Thread(t, "simulate-stats");
            th.setDaemon(true);
            return th;
        });
        timer.scheduleAtFixedRate(r, 60, 60, TimeUnit.SECONDS);
    }
}
