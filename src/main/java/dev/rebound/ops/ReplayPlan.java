package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * What {@code rebound dlq replay} does with one dead letter. Pure: decided from the dead letter and
 * the markers of earlier replays.
 *
 * <p>The replayed request gets a new id ({@code <id>~r<partition>.<offset>}, deterministic, so a
 * retried replay command produces the same id and the dedup store catches a double send) and a
 * {@code replayOf} link to the old one; its old {@code deadline} is dropped (it has passed) and its
 * attempt history starts afresh, because it is a new request.
 */
public final class ReplayPlan {

    /** The outcome for one dead letter. */
    public sealed interface Step {
        String marker();
    }

    /** Replay: produce {@code request} to agent-calls with {@code key}, and the marker. */
    public record Replay(String marker, String key, String originalId, String newId, JsonNode request) implements Step {
    }

    /** Leave it: {@code why} says why. */
    public record Skip(String marker, String originalId, String why) implements Step {
    }

    private ReplayPlan() {
    }

    public static String marker(final int partition, final long offset) {
        return partition + ":" + offset;
    }

    public static Step plan(final String key, final int partition, final long offset, final JsonNode deadLetter,
                            final Set<String> alreadyReplayed) {
        final String marker = marker(partition, offset);
        final String id = deadLetter.path("id").isTextual() ? deadLetter.path("id").asText() : null;
        if (alreadyReplayed.contains(marker)) {
            return new Skip(marker, id, "already replayed");
        }
        final JsonNode request = deadLetter.path("request");
        if (id == null || !request.isObject() || !request.path("payload").isObject() || !request.path("target").isTextual()) {
            return new Skip(marker, id, "the dead letter holds no parsed request (" + deadLetter.path("reason").asText() + ")");
        }
        final String newId = id + "~r" + partition + "." + offset;
        if (newId.length() > 200) {
            return new Skip(marker, id, "the id is too long to derive a replay id from");
        }
        final ObjectNode fresh = ((ObjectNode) request).deepCopy();
        fresh.put("id", newId);
        fresh.put("replayOf", id);
        fresh.remove("deadline");
        return new Replay(marker, key, id, newId, fresh);
    }
}
