package dev.rebound.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.Classification;
import dev.rebound.ratelimit.ProviderWord;

import java.time.Instant;

/** How one attempt ended. Executors complete with one of these and never exceptionally. */
public sealed interface CallOutcome {

    Instant startedAt();

    long durationMs();

    /** What the response's headers said of the provider's limits ({@code null}: nothing, or no response). */
    ProviderWord word();

    /** A 2xx answer; {@code body} is the JSON response, or a JSON string when it was not JSON. */
    record Success(int status, JsonNode body, Instant startedAt, long durationMs, ProviderWord word) implements CallOutcome {

        public Success(final int status, final JsonNode body, final Instant startedAt, final long durationMs) {
            this(status, body, startedAt, durationMs, null);
        }
    }

    /** Anything else, already classified. */
    record Failed(Classification classification, Instant startedAt, long durationMs, ProviderWord word) implements CallOutcome {

        public Failed(final Classification classification, final Instant startedAt, final long durationMs) {
            this(classification, startedAt, durationMs, null);
        }
    }
}
