package dev.rebound.cli;

import dev.rebound.bench.Bench;
import dev.rebound.demo.ProgressLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code rebound bench}: DESIGN §10's scenarios on an embedded broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the benchmark scenarios (passthrough, concurrency, outage, failfast, recovery, delay, exactly-once, "
                + "saturation) on an embedded Kafka broker and print a table; each comparison runs side by side in the same run.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--scenario", description = "Run only this scenario.")
    String scenario;

    @Option(names = "--json", description = "Also write {\"scenarios\": {name: figures}} to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (scenario != null && !Bench.names().contains(scenario)) {
            throw new IllegalArgumentException("--scenario must be one of " + Bench.names() + ", was '" + scenario + "'");
        }
        final Map<String, Object> result = Bench.run(Optional.ofNullable(scenario), System.out, ProgressLine.onStandardOutput(),
                ConsoleLogs.file());
        if (json != null) {
            Files.writeString(json, Bench.json(result));
            System.out.println("  figures written to " + json);
        }
        return 0;
    }
}
