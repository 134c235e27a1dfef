package dev.rebound.request;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.Limits;
import dev.rebound.config.ResultSettings;
import dev.rebound.config.TargetConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Validates a raw {@code agent-calls} record into an {@link AgentRequest}, or says exactly what is
 * wrong with it. Total: no input makes it throw. Cheap checks run first (size before parsing), so a
 * hostile record costs as little as possible and never a downstream call.
 *
 * <p>A request names a target and supplies a payload; it can never set a URL, a header or a
 * credential. Fields that try to are rejected by name, and so is every other unknown field, so
 * that a misspelt {@code deadline} is an error rather than a request with no deadline.
 */
public final class RequestParser {

    /** A request id: visible ASCII only, because it travels in the {@code Idempotency-Key} header. */
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,200}");
    private static final Set<String> FIELDS = Set.of("id", "target", "payload", "deadline", "timeoutMs", "cacheKey", "metadata", "replayOf",
            "priority", "policy", "replyTo");
    /** The {@code policy} fields this version takes; a policy may only narrow the target's ({@link RequestPolicy}). */
    private static final Set<String> POLICY_FIELDS = Set.of("maxAttempts", "fallback", "timeoutMs", "tokens");
    /** The most tokens a request may declare: above any model's context and output together. */
    static final long MAX_TOKENS = 100_000_000L;
    private static final Set<String> FORBIDDEN = Set.of("url", "uri", "endpoint", "host", "method", "headers", "header",
            "authorization", "apikey", "api_key", "token", "credentials");
    private static final Duration MAX_HORIZON = Duration.ofDays(7);
    private static final int MAX_METADATA_BYTES = 16 * 1024;
    private static final int MAX_CACHE_KEY = 512;

    private final Map<String, TargetConfig> targets;
    private final Limits limits;
    private final ResultSettings results;
    private final Predicate<String> replyTopicExists;

    /** A parser that allows no {@code replyTo}. */
    public RequestParser(final Map<String, TargetConfig> targets, final Limits limits) {
        this(targets, limits, ResultSettings.DEFAULT);
    }

    /** @param results the reply topics a request may name */
    public RequestParser(final Map<String, TargetConfig> targets, final Limits limits, final ResultSettings results) {
        this(targets, limits, results, topic -> true);
    }

    /** @param replyTopicExists whether a reply topic the patterns allow exists (a missing one would stop the task's sends) */
    public RequestParser(final Map<String, TargetConfig> targets, final Limits limits, final ResultSettings results,
                         final Predicate<String> replyTopicExists) {
        this.targets = Map.copyOf(targets);
        this.limits = limits;
        this.results = results;
        this.replyTopicExists = replyTopicExists;
    }

    public ParseResult parse(final byte[] value, final Instant now) {
        if (value == null) {
            return invalid("the record value is null (a tombstone); a request is a JSON object with id, target and payload",
                    null, null, null, null);
        }
        if (value.length > limits.maxRequestBytes()) {
            return invalid("the record is " + value.length + " bytes, over limits.maxRequestBytes (" + limits.maxRequestBytes()
                    + "); send smaller payloads", null, null, RequestEcho.ofRaw(value), null);
        }
        final JsonNode root;
        try {
            root = Json.DOOR.readTree(value);
        } catch (final JacksonException e) {
            return invalid("the record is not valid UTF-8 JSON: " + e.getOriginalMessage(), null, null, RequestEcho.ofRaw(value), null);
        } catch (final IOException e) {
            return invalid("the record could not be read as JSON: " + e.getMessage(), null, null, RequestEcho.ofRaw(value), null);
        }
        if (root == null || root.isMissingNode()) {
            return invalid("the record is empty; a request is a JSON object with id, target and payload", null, null, RequestEcho.ofRaw(value), null);
        }
        if (!root.isObject()) {
            return invalid("a request must be a JSON object, was " + kind(root), null, null, RequestEcho.ofRaw(value), null);
        }
        if (value.length > limits.maxRequestBytes() / 2) {
            // stored as re-serialized JSON, which can be longer than what was read (1e-6 is written
            // 0.000001) but never twice as long (an emoji stays 4 bytes: Json): under half the limit it cannot grow past it
            final int stored = Json.bytes(root).length;
            if (stored > limits.maxRequestBytes()) {
                return invalid("the request is " + stored + " bytes as Rebound stores it (compact JSON), over limits.maxRequestBytes ("
                        + limits.maxRequestBytes() + "); send smaller payloads", null, null, RequestEcho.ofRaw(value), null);
            }
        }
        return validate(root, value.length, now);
    }

    private ParseResult validate(final JsonNode root, final int size, final Instant now) {
        final JsonNode idNode = root.get("id");
        final String id = idNode != null && idNode.isTextual() && ID.matcher(idNode.asText()).matches() ? idNode.asText() : null;
        final JsonNode targetNode = root.get("target");
        final String target = targetNode != null && targetNode.isTextual() ? targetNode.asText() : null;
        final JsonNode metadata = root.get("metadata") != null && root.get("metadata").isObject() ? root.get("metadata") : null;

        final String problem = problem(root, size, idNode, targetNode, now);
        if (problem != null) {
            return invalid(problem, id, target, RequestEcho.ofParsed(root, size), metadata);
        }
        final TargetConfig config = targets.get(target);
        if (config == null || !config.requestable()) {
            final String known = String.join(", ", new TreeSet<>(callable()));
            final String why = config == null ? "is not a configured target" : config.member().isPresent()
                    ? "is one endpoint of pool '" + config.member().get().pool() + "'; requests name the pool, which chooses the endpoint"
                    : "is a group; groups cannot be called";
            return new ParseResult.Rejected(DeadLetterReason.UNKNOWN_TARGET,
                    "target '" + target + "' " + why + "; callable targets are: " + known, id, target, RequestEcho.ofParsed(root, size), metadata);
        }
        // the policy's bounds are the named target's configuration, so they are checked once it is known
        final String wider = RequestPolicy.boundsProblem(root.get("policy"), config);
        if (wider != null) {
            return invalid(wider, id, target, RequestEcho.ofParsed(root, size), metadata);
        }
        final Instant deadline = deadline(root, now);
        return new ParseResult.Valid(new AgentRequest(id, target, root.get("payload"), deadline,
                root.hasNonNull("cacheKey") ? root.get("cacheKey").asText() : null, metadata, root));
    }

    /** The first thing wrong with the request, or {@code null}. Checked in the order a person would fix them. */
    private String problem(final JsonNode root, final int size, final JsonNode idNode, final JsonNode targetNode, final Instant now) {
        final Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            final String name = names.next();
            if (FORBIDDEN.contains(name.toLowerCase(Locale.ROOT))) {
                return "a request cannot set '" + name + "': URLs, headers and credentials come only from the target's configuration";
            }
            if (!FIELDS.contains(name)) {
                return "unknown field '" + name + "'; a request has only " + new TreeSet<>(FIELDS);
            }
        }
        if (idNode == null || idNode.isNull()) {
            return "'id' is required: a string of 1..200 visible ASCII characters, unique per request";
        }
        if (!idNode.isTextual()) {
            return "'id' must be a string, was " + kind(idNode);
        }
        if (!ID.matcher(idNode.asText()).matches()) {
            final int len = idNode.asText().length();
            return len == 0 || len > 200
                    ? "'id' must be 1..200 characters, was " + len
                    : "'id' may only contain visible ASCII characters (no spaces or control characters)";
        }
        if (targetNode == null || targetNode.isNull()) {
            return "'target' is required: the name of a configured target";
        }
        if (!targetNode.isTextual()) {
            return "'target' must be a string, was " + kind(targetNode);
        }
        final JsonNode payload = root.get("payload");
        if (payload == null || payload.isNull()) {
            return "'payload' is required: the JSON object sent to the target";
        }
        if (!payload.isObject()) {
            return "'payload' must be a JSON object, was " + kind(payload);
        }
        // written compactly the payload can be longer than its text in the record (1e-6 is written
        // 0.000001) but never more than twice as long: a record within half the limit needs no measuring
        if (size > limits.maxPayloadBytes() / 2) {
            final int payloadBytes = payload.toString().getBytes(StandardCharsets.UTF_8).length;
            if (payloadBytes > limits.maxPayloadBytes()) {
                return "'payload' is " + payloadBytes + " bytes, over limits.maxPayloadBytes (" + limits.maxPayloadBytes() + ")";
            }
        }
        final String optional = optionalFields(root);
        if (optional != null) {
            return optional;
        }
        final String replyTo = replyTo(root.get("replyTo"));
        return replyTo != null ? replyTo : timing(root, now);
    }

    /** A {@code replyTo} must name a topic that {@code results.replyTopics} allows: a request never picks an arbitrary topic. */
    private String replyTo(final JsonNode replyTo) {
        if (replyTo == null || replyTo.isNull()) {
            return null;
        }
        if (!replyTo.isTextual()) {
            return "'replyTo' must be a topic name (a string), was " + kind(replyTo);
        }
        if (results.replyTopics().isEmpty()) {
            return "'replyTo' is not allowed: this Rebound has no results.replyTopics configured; omit it and read the results topic";
        }
        if (!results.allows(replyTo.asText())) {
            final String name = replyTo.asText().length() > 100 ? replyTo.asText().substring(0, 100) + "..." : replyTo.asText();
            return "'replyTo' '" + name + "' matches none of results.replyTopics " + results.replyTopics()
                    + "; name a full topic name that one of them allows";
        }
        if (!replyTopicExists.test(replyTo.asText())) {
            return "'replyTo' topic '" + replyTo.asText() + "' does not exist; create it first (rebound topics create --reply-topic "
                    + replyTo.asText() + ")";
        }
        return null;
    }

    private static String optionalFields(final JsonNode root) {
        final JsonNode cacheKey = root.get("cacheKey");
        if (cacheKey != null && !cacheKey.isNull() && (!cacheKey.isTextual() || cacheKey.asText().isEmpty() || cacheKey.asText().length() > MAX_CACHE_KEY)) {
            return "'cacheKey' must be a string of 1.." + MAX_CACHE_KEY + " characters";
        }
        final JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                return "'metadata' must be a JSON object, was " + kind(metadata);
            }
            if (metadata.toString().length() > MAX_METADATA_BYTES) {
                return "'metadata' is over " + MAX_METADATA_BYTES + " bytes; keep it to a few labels";
            }
        }
        final JsonNode priority = root.get("priority");
        if (priority != null && !priority.isNull() && (!priority.isTextual() || Priority.of(priority.asText()).isEmpty())) {
            return "'priority' must be one of \"high\", \"normal\", \"low\", was " + priority;
        }
        final String policy = RequestPolicy.shapeProblem(root.get("policy"), POLICY_FIELDS, MAX_TOKENS);
        if (policy != null) {
            return policy;
        }
        final JsonNode replayOf = root.get("replayOf");
        if (replayOf != null && !replayOf.isNull() && (!replayOf.isTextual() || replayOf.asText().length() > 200)) {
            return "'replayOf' must be a string of at most 200 characters";
        }
        return null;
    }

    private static String timing(final JsonNode root, final Instant now) {
        final JsonNode deadline = root.get("deadline");
        final JsonNode timeoutMs = root.get("timeoutMs");
        final boolean hasDeadline = deadline != null && !deadline.isNull();
        final boolean hasTimeout = timeoutMs != null && !timeoutMs.isNull();
        if (hasDeadline && hasTimeout) {
            return "give either 'deadline' or 'timeoutMs', not both";
        }
        if (hasTimeout) {
            if (!timeoutMs.isIntegralNumber() || !timeoutMs.canConvertToLong()) {
                return "'timeoutMs' must be a whole number of milliseconds, was " + timeoutMs;
            }
            final long ms = timeoutMs.asLong();
            if (ms < 1 || ms > MAX_HORIZON.toMillis()) {
                return "'timeoutMs' must be between 1 and " + MAX_HORIZON.toMillis() + " (7 days), was " + ms;
            }
        }
        if (hasDeadline) {
            if (!deadline.isTextual()) {
                return "'deadline' must be an ISO-8601 instant string such as 2026-11-29T21:00:00Z, was " + kind(deadline);
            }
            final Instant at = instant(deadline.asText());
            if (at == null) {
                return "'deadline' is not an ISO-8601 instant (e.g. 2026-11-29T21:00:00Z): '" + deadline.asText() + "'";
            }
            if (!at.isAfter(now)) {
                return "'deadline' " + at + " has already passed (now " + now + "); send a later deadline or none";
            }
            if (at.isAfter(now.plus(MAX_HORIZON))) {
                return "'deadline' " + at + " is more than 7 days away";
            }
        }
        return null;
    }

    /** The request's absolute deadline: its own, or {@code limits.defaultTimeout} from now, so that nothing waits for ever. */
    private Instant deadline(final JsonNode root, final Instant now) {
        if (root.hasNonNull("timeoutMs")) {
            return now.plusMillis(root.get("timeoutMs").asLong());
        }
        return root.hasNonNull("deadline") ? instant(root.get("deadline").asText()) : now.plus(limits.defaultTimeout());
    }

    private static Instant instant(final String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (final DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (final DateTimeParseException e2) {
                return null;
            }
        }
    }

    private List<String> callable() {
        return targets.values().stream().filter(TargetConfig::requestable).map(TargetConfig::name).toList();
    }

    private static ParseResult invalid(final String message, final String id, final String target, final JsonNode echo,
                                       final JsonNode metadata) {
        return new ParseResult.Rejected(DeadLetterReason.INVALID_REQUEST, message, id, target, echo, metadata);
    }

    static String kind(final JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
