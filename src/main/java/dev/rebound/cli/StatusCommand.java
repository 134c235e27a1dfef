package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code rebound status}: the circuits of a running instance, from its ops endpoint. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every target's circuit, health and traffic share, and this instance's calls in flight, retry budget left and failure rate (GET /circuits on its ops endpoint).")
public final class StatusCommand implements Callable<Integer> {

    @Option(names = "--ops", defaultValue = "http://127.0.0.1:8079",
            description = "The ops endpoint of a running instance (default ${DEFAULT-VALUE}).")
    String ops;

    @Option(names = "--json", description = "Print the raw JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final HttpResponse<String> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create(ops + "/circuits")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (final ConnectException e) {
            throw new IllegalStateException("no Rebound ops endpoint at " + ops + " (is `rebound run` up? see --ops)");
        }
        if (json) {
            System.out.println(r.body());
            return 0;
        }
        final JsonNode circuits = Json.MAPPER.readTree(r.body());
        if (!circuits.isArray()) {
            throw new IllegalStateException(circuits.path("error").asText(r.body()));
        }
        System.out.printf("%-20s %-10s %-11s %-8s %-9s %-8s %-9s %-25s %-7s %-9s %s%n", "TARGET", "CIRCUIT", "HEALTH", "TRAFFIC",
                "IN-FLIGHT", "BUDGET", "FAIL-RATE", "SINCE", "CALLS", "FAILURES", "REASON");
        for (final JsonNode c : circuits) {
            final JsonNode w = c.path("window");
            final JsonNode here = c.path("instance");
            System.out.printf("%-20s %-10s %-11s %-8s %-9s %-8s %-9s %-25s %-7s %-9s %s%n", c.path("target").asText(), c.path("state").asText(),
                    c.path("health").asText("-"), c.has("trafficPercent") ? c.path("trafficPercent").asInt() + "%" : "-",
                    here.has("inFlight") ? String.valueOf(here.path("inFlight").asLong()) : "-",
                    here.has("retryBudgetLeft") ? String.valueOf(Math.round(here.path("retryBudgetLeft").asDouble())) : "-",
                    here.has("failureRate") ? String.format("%.0f%%", 100 * here.path("failureRate").asDouble()) : "-",
                    c.path("since").asText("-"), w.isMissingNode() ? "-" : w.path("calls").asText(),
                    w.isMissingNode() ? "-" : String.format("%.0f%%", 100 * w.path("failureRate").asDouble()),
                    c.path("reason").asText(""));
        }
        if (circuits.isEmpty()) {
            System.out.println("(no circuit has left CLOSED yet, and no target has been called from this instance)");
        }
        return 0;
    }
}
