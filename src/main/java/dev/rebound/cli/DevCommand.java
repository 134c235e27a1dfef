package dev.rebound.cli;

import dev.rebound.demo.Dev;
import dev.rebound.sim.SimScenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rebound dev}: a playground that stays up, for trying every other command by hand. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Start an embedded Kafka broker, the simulated endpoint and the processor, write a configuration file for "
                + "the other commands (send, tail, control, dlq, status) and stay up until Ctrl-C. One per user and machine.")
public final class DevCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--scenario", defaultValue = "healthy",
            description = "The simulator's scenario at start: healthy, flaky, rate-limit, outage, recovery or chaos; switch it while "
                    + "it runs with `rebound simulate-set` (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of agent-calls (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--config-out", defaultValue = "rebound-dev.yaml",
            description = "Where to write the configuration for the other commands; removed at Ctrl-C. The log goes beside it "
                    + "(default ${DEFAULT-VALUE}, log rebound-dev.log).")
    Path configOut;

    @Option(names = "--fallback", description = "Give sim-chat the demo's fallback chain (sim-backup, the cache, a static answer), "
            + "so that failures and a disabled target are answered instead of dead-lettered.")
    boolean fallback;

    @Override
    public Integer call() throws Exception {
        SimScenario.requireName("--scenario", scenario);
        return Dev.run(new Dev.Options(scenario, partitions, configOut, fallback), System.out,
                ConsoleLogs.file().map(Object::toString).orElse("the console (--verbose)"));
    }
}
