package dev.rebound.cli;

import dev.rebound.demo.ChaosSummary;
import dev.rebound.demo.Demo;
import dev.rebound.demo.DemoReport;
import dev.rebound.demo.DemoSummary;
import dev.rebound.demo.EndpointShares;
import dev.rebound.demo.ProgressLine;
import dev.rebound.request.Json;
import dev.rebound.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rebound demo}: everything in one JVM, nothing to install. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an embedded Kafka broker, a simulated LLM endpoint and the processor; send a mixed load; "
                + "print a summary counted from the output topics.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--requests", defaultValue = "1000", description = "How many requests to send (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--scenario", defaultValue = "flaky",
            description = "Simulator behaviour: healthy, flaky, rate-limit, outage, recovery, or chaos (the simulator also stalls, "
                    + "never answers, answers oversized or non-JSON bodies and drops connections mid-body; the load adds requests "
                    + "at the nesting and size limits and ids carrying a header value; garbage is written to agent-control and "
                    + "agent-circuits midway), or pool (a pool of three simulated endpoints weighted 3/1/1, one failing through the "
                    + "middle of the load; the summary shows each endpoint's share per interval) (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of agent-calls (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--max-wait", defaultValue = "60s",
            description = "Give up when no terminal record arrives for this long (default ${DEFAULT-VALUE}).")
    String maxWait;

    @Option(names = "--no-circuit", description = "Run without the circuit breaker, to see the retry budget alone.")
    boolean noCircuit;

    @Option(names = "--no-fallback", description = "Run without the fallback chain (backup target, cache, static value).")
    boolean noFallback;

    @Option(names = "--rate", description = "Requests produced per second; 0 for as fast as possible (default: 100 for the recovery "
            + "scenario, 50 for pool, else 0).")
    Double rate;

    @Option(names = "--report", description = "Also write a self-contained HTML report with charts over time to this file.")
    Path report;

    @Option(names = "--summary-json", description = "Also write the summary counts to this JSON file.")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        Demo.requireScenario("--scenario", scenario);
        final Duration wait = Durations.parse(maxWait)
                .orElseThrow(() -> new IllegalArgumentException("--max-wait must be a duration such as 60s, was '" + maxWait + "'"));
        final DemoSummary s = Demo.run(new Demo.Options(requests, scenario, partitions, wait, !noCircuit, !noFallback,
                rate != null ? rate : "recovery".equals(scenario) ? 100 : Demo.POOL.equals(scenario) ? 50 : 0), System.out, ProgressLine.onStandardOutput(),
                ConsoleLogs.file());
        System.out.print(Demo.table(s));
        if (report != null) {
            Files.writeString(report, DemoReport.html(scenario, s, s.timeline()));
            System.out.println("  report written to " + report + " (open it in a browser; it needs no network)");
        }
        if (summaryJson != null) {
            final Map<String, Object> json = new LinkedHashMap<>();
            json.put("requests", s.requests());
            json.put("succeeded", s.succeeded());
            json.put("fallback", s.fallback());
            json.put("deadLettered", s.deadLettered());
            json.put("downstreamCalls", s.downstreamCalls());
            json.put("backupCalls", s.backupCalls());
            json.put("lost", s.lost());
            json.put("duplicated", s.duplicated());
            json.put("validAnswered", s.validAnswered());
            json.put("deadLetterReasons", s.deadLetterReasons());
            json.put("fallbackServedBy", s.fallbackServedBy());
            json.put("ramp", s.ramp().stream().map(step -> {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("health", step.health());
                m.put("trafficPercent", step.percent());
                m.put("from", step.from().toString());
                m.put("seconds", Duration.between(step.from(), step.to()).toMillis() / 1000.0);
                m.put("requests", step.requests());
                m.put("admitted", step.admitted());
                m.put("admittedPercent", step.requests() == 0 ? null : step.share());
                return m;
            }).toList());
            json.put("seconds", s.seconds());
            if (s.chaos() != ChaosSummary.NONE) {
                json.put("chaos", s.chaos());
            }
            if (s.pool() != EndpointShares.Timeline.NONE) {
                json.put("pool", s.pool());
            }
            json.put("passed", s.passed());
            Files.writeString(summaryJson, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            System.out.println("  summary written to " + summaryJson);
        }
        return s.passed() ? 0 : 1;
    }
}
