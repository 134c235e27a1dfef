package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.demo.DevInstance;
import dev.rebound.request.Json;
import dev.rebound.sim.SimScenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code rebound simulate-set}: switch a running simulator to another scenario. */
@Command(name = "simulate-set", mixinStandardHelpOptions = true,
        description = "Switch a running simulator (of `rebound dev`, or `rebound simulate`) to another scenario, from now on "
                + "(POST /scenario). The scenario's clock starts over: a recovery's outage starts now.")
public final class SimulateSetCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Option(names = "--scenario", required = true, description = "healthy, flaky, rate-limit, outage, recovery or chaos.")
    String scenario;

    @Option(names = "--url", description = "The simulator's base URL, e.g. http://127.0.0.1:8090 for `rebound simulate` "
            + "(default: the simulator of the `rebound dev` running on this machine).")
    String url;

    @Override
    public Integer call() throws Exception {
        SimScenario.requireName("--scenario", scenario);
        final String base = url != null ? url : DevInstance.running().map(DevInstance.Info::simulatorUrl).orElseThrow(() ->
                new IllegalStateException("no rebound dev is running on this machine; start one (./rebound dev), or give --url "
                        + "of a simulator (e.g. http://127.0.0.1:8090 for `rebound simulate`)"));
        final HttpResponse<String> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                    HttpRequest.newBuilder(URI.create(base + "/scenario")).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.createObjectNode().put("scenario", scenario).toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (final ConnectException e) {
            throw new IllegalStateException("nothing answers at " + base + " (is the simulator up? see --url)");
        }
        final JsonNode body = Json.MAPPER.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the simulator at " + base + " answered " + r.statusCode() + ": " + body.path("error").asText(r.body()));
        }
        System.out.println("simulator at " + base + " now plays '" + body.path("scenario").asText() + "': " + body.path("perCall").asText());
        return 0;
    }
}
