package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.http.HttpResponse;
import java.util.concurrent.Callable;

/** {@code rebound status}: the circuits of a running instance, from its ops endpoint. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every target's circuit, health and traffic share, this instance's calls in flight, retry budget left and failure rate, and each rate limit's quota left, waiting requests by priority and the provider's last word (GET /circuits on its ops endpoint).")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Mixin
    OpsOptions instance;

    @Option(names = "--json", description = "Print the raw JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final HttpResponse<String> r = instance.address("/circuits").get("/circuits");
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
            row(c, c.path("target").asText());
            for (final JsonNode e : c.path("endpoints")) {
                row(e, "  " + e.path("endpoint").asText() + " " + e.path("sharePercent").asText("-") + "%");
            }
        }
        if (circuits.isEmpty()) {
            System.out.println("(no circuit has left CLOSED yet, and no target has been called from this instance)");
        }
        rateLimits(circuits);
        return 0;
    }

    /** One target's line, or one endpoint's under its pool (its name indented, with its share of the pool's calls). */
    private static void row(final JsonNode c, final String name) {
        final JsonNode w = c.path("window");
        final JsonNode here = c.path("instance");
        System.out.printf("%-20s %-10s %-11s %-8s %-9s %-8s %-9s %-25s %-7s %-9s %s%n", name, c.path("state").asText(),
                c.path("health").asText("-"), c.has("trafficPercent") ? c.path("trafficPercent").asInt() + "%" : "-",
                here.has("inFlight") ? String.valueOf(here.path("inFlight").asLong()) : "-",
                here.has("retryBudgetLeft") ? String.valueOf(Math.round(here.path("retryBudgetLeft").asDouble())) : "-",
                here.has("failureRate") ? String.format("%.0f%%", 100 * here.path("failureRate").asDouble()) : "-",
                c.path("since").asText("-"), w.isMissingNode() ? "-" : w.path("calls").asText(),
                w.isMissingNode() ? "-" : String.format("%.0f%%", 100 * w.path("failureRate").asDouble()),
                c.path("reason").asText(""));
    }

    /** The rate-limited targets' quotas, as their owners last published them. */
    private static void rateLimits(final JsonNode circuits) {
        boolean header = false;
        for (final JsonNode c : circuits) {
            final JsonNode q = c.path("rateLimit");
            if (q.isMissingNode()) {
                continue;
            }
            if (!header) {
                System.out.printf("%n%-20s %-14s %-14s %-22s %-22s %s%n", "RATE LIMIT", "REQUESTS-LEFT", "TOKENS-LEFT", "WAITING H/N/L",
                        "PROVIDER-REMAINING R/T", "PAUSED-UNTIL");
                header = true;
            }
            final JsonNode w = q.path("waiting");
            System.out.printf("%-20s %-14s %-14s %-22s %-22s %s%n", c.path("target").asText(), q.path("requestsLeft").asText("-"),
                    q.path("tokensLeft").asText("-"), w.path("high").asLong() + "/" + w.path("normal").asLong() + "/" + w.path("low").asLong(),
                    q.path("providerRemainingRequests").asText("-") + "/" + q.path("providerRemainingTokens").asText("-"),
                    q.path("pausedUntil").asText("-"));
        }
    }
}
