package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.ops.RequestPath;
import dev.rebound.request.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code rebound request ID}: where one request stands, asked of any running instance
 * ({@code GET /requests/{key}/{id}} on its ops endpoint, which forwards to the instance that owns
 * the key). Exit 0 when the request is found in any state, 3 when it is unknown (as {@code dlq show}).
 */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = "Show where one request stands: waiting in the delay path (why: a retry, a deferral by a circuit or an operator, "
                + "parked for a slot or quota; until when; which attempt is next), in flight (since when, which attempt and target), "
                + "or finished (its result or dead letter). Any instance answers (GET /requests/{key}/{id} on its ops endpoint). "
                + "Exit code 3 when the request is unknown.")
public final class RequestCommand implements Callable<Integer> {

    /** The exit code when no instance knows the request (as {@code dlq show} for an id it does not find). */
    static final int UNKNOWN = 3;
    /** How often a 503 (a rebalance, stores restoring) is asked again, a second apart. */
    private static final int TRIES = 5;

    @Mixin
    VerboseOption verbose;

    @Parameters(index = "0", paramLabel = "ID", description = "The request id.")
    String id;

    @Option(names = "--key", description = "The request's record key on agent-calls (default: the id, the key `rebound send` and the "
            + "client use when none is given). Its state lives with the partition of its key.")
    String key;

    @Mixin
    OpsOptions instance;

    @Option(names = "--json", description = "Print the JSON answer.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final OpsAddress at = instance.address("/requests");
        final String path = new RequestPath(key != null ? key : id, id).path();
        HttpResponse<String> r = at.get(path);
        for (int tried = 1; r.statusCode() == 503 && tried < TRIES; tried++) {
            TimeUnit.SECONDS.sleep(1); // rebalancing or restoring: the owner is known again within seconds
            r = at.get(path);
        }
        final JsonNode body = Json.MAPPER.readTree(r.body());
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IllegalStateException(at.base() + " answered " + r.statusCode() + ": " + body.path("error").asText(r.body()));
        }
        if (json) {
            System.out.println(body.toPrettyString());
        } else {
            lines(body).forEach(System.out::println);
        }
        return "UNKNOWN".equals(body.path("status").asText()) ? UNKNOWN : 0;
    }

    /** The answer for a person: the status, then why, until when, which attempt and target, or the terminal record's outcome. */
    static List<String> lines(final JsonNode a) {
        final List<String> out = new ArrayList<>();
        final String status = a.path("status").asText();
        out.add("request " + a.path("id").asText() + " (key " + a.path("key").asText() + "): " + status.replace('_', ' '));
        switch (status) {
            case "WAITING" -> {
                out.add("  why:       " + a.path("why").asText() + ": " + a.path("reason").asText());
                if (a.has("parkedSince")) {
                    out.add("  parked:    since " + a.path("parkedSince").asText() + " (" + a.path("parks").asInt() + " time(s) in a row)");
                }
                out.add("  until:     " + a.path("dueAt").asText() + " (in " + seconds(a.path("dueInMs").asLong()) + ")");
                out.add("  next:      attempt " + a.path("attempt").asInt() + " to " + target(a));
            }
            case "IN_FLIGHT" -> {
                out.add("  attempt:   " + a.path("attempt").asInt() + " to " + target(a));
                if (a.has("since")) {
                    out.add("  since:     " + a.path("since").asText() + " (" + seconds(a.path("forMs").asLong()) + " ago)");
                }
            }
            case "FINISHED" -> {
                final JsonNode r = a.path("record");
                out.add("  outcome:   " + a.path("outcome").asText() + (a.has("servedBy") ? " (served by " + a.path("servedBy").asText() + ")"
                        : " (reason " + a.path("reason").asText() + ")"));
                out.add("  attempts:  " + (r.path("attempts").isArray() ? r.path("attempts").size() : r.path("attempts").asInt()));
                if (r.has("message")) {
                    out.add("  message:   " + r.path("message").asText());
                }
            }
            default -> out.add("  " + a.path("reason").asText());
        }
        if (a.has("lastAttempt") && !"FINISHED".equals(status)) {
            final JsonNode l = a.path("lastAttempt");
            out.add("  last fail: attempt " + l.path("attempt").asInt() + " to " + l.path("target").asText() + ": " + l.path("category").asText()
                    + (l.hasNonNull("httpStatus") ? " (HTTP " + l.path("httpStatus").asInt() + ")" : "") + " at " + l.path("at").asText());
        }
        out.add("  answered by " + a.path("answeredBy").asText("?") + (a.has("partition") ? " (partition " + a.path("partition").asInt() + ")" : "")
                + (a.has("forwardedBy") ? ", asked through " + a.path("forwardedBy").asText() : ""));
        return out;
    }

    private static String target(final JsonNode a) {
        final String stage = a.path("stageTarget").asText(a.path("target").asText());
        return stage + (a.has("fallbackStep") ? " (fallback step " + a.path("fallbackStep").asInt() + " of " + a.path("target").asText() + ")" : "")
                + (a.path("pool").asBoolean() ? " (a pool: the endpoint is chosen when the call is made)" : "");
    }

    private static String seconds(final long ms) {
        return String.format("%.1f s", ms / 1000.0);
    }
}
