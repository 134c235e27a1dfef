package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A validated request (DESIGN §2). Only {@link RequestParser} creates one from outside input;
 * {@link #restore} rebuilds one from Rebound's own state, which was validated when it arrived.
 *
 * @param id       the idempotency key, 1..200 visible ASCII characters
 * @param target   a callable target from the allow-list
 * @param payload  the JSON object sent to the target
 * @param deadline when the request must be finished, or {@code null} for none
 * @param cacheKey the caller's cache key, or {@code null} for the default (see {@link #effectiveCacheKey()})
 * @param metadata echoed into the result or dead letter, or {@code null}
 * @param original the request exactly as received, echoed into a dead letter
 */
public record AgentRequest(String id, String target, JsonNode payload, Instant deadline, String cacheKey,
                           JsonNode metadata, JsonNode original) {

    public AgentRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(original, "original");
    }

    /** Rebuilds a request from the original JSON kept in a state store and the deadline fixed on arrival. */
    public static AgentRequest restore(final JsonNode original, final Instant deadline) {
        return new AgentRequest(original.path("id").asText(), original.path("target").asText(), original.path("payload"),
                deadline, original.hasNonNull("cacheKey") ? original.get("cacheKey").asText() : null,
                original.hasNonNull("metadata") ? original.get("metadata") : null, original);
    }

    /** The request's {@code priority}, {@link Priority#NORMAL} when it gives none. */
    public Priority priority() {
        return priority(original);
    }

    /** The {@code priority} of a request as received (validated at the door). */
    public static Priority priority(final JsonNode original) {
        final JsonNode p = original.get("priority");
        return p == null ? Priority.NORMAL : Priority.of(p.asText()).orElse(Priority.NORMAL);
    }

    /** The topic the request's result goes to instead of {@code agent-results} ({@code replyTo}), validated at the door. */
    public Optional<String> replyTo() {
        return replyTo(original);
    }

    /** The {@code replyTo} of a request as received. */
    public static Optional<String> replyTo(final JsonNode original) {
        final JsonNode r = original.get("replyTo");
        return r != null && r.isTextual() ? Optional.of(r.asText()) : Optional.empty();
    }

    /** The tokens the request declares it will use ({@code policy.tokens}), for a token rate limit. */
    public OptionalLong declaredTokens() {
        final JsonNode t = original.path("policy").path("tokens");
        return t.isIntegralNumber() ? OptionalLong.of(t.asLong()) : OptionalLong.empty();
    }

    /** The caller's cache key, or a SHA-256 of the target and the payload. */
    public String effectiveCacheKey() {
        if (cacheKey != null) {
            return cacheKey;
        }
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(target.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(payload.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
