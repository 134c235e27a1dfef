package dev.rebound.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A request nothing more will happen to, on {@code agent-dead-letters} (DESIGN §4).
 *
 * @param id        the request id, or {@code null} when the record had no usable id
 * @param target    the target named, or {@code null}
 * @param reason    why it ended here
 * @param category  the last error's category, or {@code null} for invalid requests
 * @param severity  that category's severity, or {@code null}
 * @param message   what happened and what to do about it, for a person
 * @param attempts  every failed attempt, oldest first
 * @param request   the original request; its raw text (or base64) when it did not parse;
 *                  a truncated head when it was too large to repeat
 * @param source    where the request record was read
 * @param metadata  the request's metadata, echoed
 * @param policy    the policy the request ran under ({@link EffectivePolicy}); {@code null} when it never ran:
 *                  rejected at the door ({@code INVALID_REQUEST}, {@code UNKNOWN_TARGET}), its target gone, a record
 *                  that failed before it became a request
 * @param fallback  for {@code FALLBACK_FAILED}: each step tried and why it could not answer; absent otherwise
 */
public record DeadLetter(String id, String target, DeadLetterReason reason, String category, String severity,
                         String message, List<Attempt> attempts, JsonNode request, Source source,
                         Instant firstSeenAt, Instant deadLetteredAt, JsonNode metadata, EffectivePolicy policy,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FallbackFailure> fallback) {

    public DeadLetter {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        fallback = fallback == null ? List.of() : List.copyOf(fallback);
    }
}
