package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Classification;

import java.time.Instant;

/** How one attempt ended. Executors complete with one of these and never exceptionally. */
public sealed interface CallOutcome {

    Instant startedAt();

    long durationMs();

    /** A 2xx answer; {@code body} is the JSON response, or a JSON string when it was not JSON. */
    record Success(int status, JsonNode body, Instant startedAt, long durationMs) implements CallOutcome {
    }

    /** Anything else, already classified. */
    record Failed(Classification classification, Instant startedAt, long durationMs) implements CallOutcome {
    }
}
