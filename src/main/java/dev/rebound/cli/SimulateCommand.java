package dev.rebound.cli;

import dev.rebound.sim.SimScenario;
import dev.rebound.sim.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code rebound simulate}: the simulated LLM/tool endpoint on its own. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Serve a simulated LLM/tool API on 127.0.0.1 (POST /v1/chat, GET /health, GET /stats).")
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8090", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--scenario", defaultValue = "flaky",
            description = "healthy, flaky, rate-limit, outage, recovery, or chaos (flaky's failures plus stalled bodies, "
                    + "unanswered requests, oversized and non-JSON answers, connections closed mid-body) (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--oversized-bytes", defaultValue = "2097152",
            description = "Size of the oversized answers of the chaos scenario, in bytes (default ${DEFAULT-VALUE}).")
    int oversizedBytes;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed, for repeatable runs (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        final SimScenario s = SimScenario.named(scenario).withOversizedBytes(oversizedBytes);
        try (Simulator sim = Simulator.start(port, s, seed)) {
            System.out.println("simulated endpoint '" + scenario + "' at " + sim.url("/v1/chat") + " (Ctrl-C to stop)");
            System.out.println("  per call: " + s.describe());
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
