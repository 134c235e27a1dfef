package dev.rebound.classify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turns the evidence of a failed attempt into a {@link Classification}. A pure function of its
 * input and the time.
 *
 * <p>The most specific evidence wins:
 * <ol>
 *   <li>a transport failure (timeout, refused, reset) decides alone;</li>
 *   <li>a provider error code in the body that names a specific condition
 *       ({@code context_length_exceeded}, {@code insufficient_quota}, {@code overloaded_error},
 *       ...): OpenAI sends {@code insufficient_quota} with a 429, and quota is not a rate limit;</li>
 *   <li>message patterns registered in configuration, then Rebound's built-in ones (e.g. an
 *       Anthropic "prompt is too long" inside a generic {@code invalid_request_error});</li>
 *   <li>a generic provider code ({@code invalid_request_error}), then the HTTP status.</li>
 * </ol>
 * Numbers inside a message are never read as a status: "processed 500 tokens" is not a 500.
 */
public final class ErrorClassifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 500;

    /** Provider error codes that name a condition precisely; they outrank the HTTP status. */
    private static final Map<String, ErrorCategory> SPECIFIC_CODES = Map.ofEntries(
            Map.entry("rate_limit_error", ErrorCategory.RATE_LIMITED),
            Map.entry("rate_limit_exceeded", ErrorCategory.RATE_LIMITED),
            Map.entry("requests", ErrorCategory.RATE_LIMITED),
            Map.entry("tokens", ErrorCategory.RATE_LIMITED),
            Map.entry("overloaded_error", ErrorCategory.SERVER_ERROR),
            Map.entry("server_error", ErrorCategory.SERVER_ERROR),
            Map.entry("api_error", ErrorCategory.SERVER_ERROR),
            Map.entry("internal", ErrorCategory.SERVER_ERROR),
            Map.entry("unavailable", ErrorCategory.SERVER_ERROR),
            Map.entry("service_unavailable", ErrorCategory.SERVER_ERROR),
            Map.entry("context_length_exceeded", ErrorCategory.CONTEXT_TOO_LONG),
            Map.entry("context_window_exceeded", ErrorCategory.CONTEXT_TOO_LONG),
            Map.entry("string_above_max_length", ErrorCategory.CONTEXT_TOO_LONG),
            Map.entry("insufficient_quota", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("billing_hard_limit_reached", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("quota_exceeded", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("content_policy_violation", ErrorCategory.CONTENT_POLICY),
            Map.entry("content_filter", ErrorCategory.CONTENT_POLICY),
            Map.entry("authentication_error", ErrorCategory.AUTHENTICATION),
            Map.entry("invalid_api_key", ErrorCategory.AUTHENTICATION),
            Map.entry("permission_error", ErrorCategory.AUTHENTICATION),
            Map.entry("unauthenticated", ErrorCategory.AUTHENTICATION),
            Map.entry("permission_denied", ErrorCategory.AUTHENTICATION),
            Map.entry("not_found_error", ErrorCategory.NOT_FOUND),
            Map.entry("model_not_found", ErrorCategory.NOT_FOUND),
            Map.entry("deadline_exceeded", ErrorCategory.TIMEOUT));

    /** Codes that only say "your request was wrong somehow"; a message pattern may know better. */
    private static final Map<String, ErrorCategory> GENERIC_CODES = Map.of(
            "invalid_request_error", ErrorCategory.VALIDATION,
            "invalid_argument", ErrorCategory.VALIDATION,
            "failed_precondition", ErrorCategory.VALIDATION,
            "not_found", ErrorCategory.NOT_FOUND,
            "resource_exhausted", ErrorCategory.RATE_LIMITED);

    private static final List<MessagePattern> BUILT_IN = List.of(
            new MessagePattern(Pattern.compile("(?i)maximum context length|prompt is too long|context window|too many tokens"),
                    ErrorCategory.CONTEXT_TOO_LONG),
            new MessagePattern(Pattern.compile("(?i)exceeded your current quota|quota exceeded|billing"),
                    ErrorCategory.QUOTA_EXHAUSTED),
            new MessagePattern(Pattern.compile("(?i)content (policy|management policy)|safety system|flagged"),
                    ErrorCategory.CONTENT_POLICY),
            new MessagePattern(Pattern.compile("(?i)\\boverloaded\\b"), ErrorCategory.SERVER_ERROR));

    private final List<MessagePattern> registered;
    private final UnaryOperator<String> redact;

    /**
     * @param registered operator patterns from configuration, tried in order
     * @param redact     removes configured secrets from any text that ends up in a message
     */
    public ErrorClassifier(final List<MessagePattern> registered, final UnaryOperator<String> redact) {
        this.registered = List.copyOf(registered);
        this.redact = Objects.requireNonNull(redact, "redact");
    }

    /** A classifier with no registered patterns and no secrets to redact. */
    public static ErrorClassifier defaults() {
        return new ErrorClassifier(List.of(), UnaryOperator.identity());
    }

    public Classification classify(final Failure failure, final Instant now) {
        if (failure instanceof Failure.Transport t) {
            return transport(t);
        }
        return http((Failure.Http) failure, now);
    }

    private Classification transport(final Failure.Transport t) {
        final ErrorCategory category = switch (t.kind()) {
            case TIMEOUT -> ErrorCategory.TIMEOUT;
            case CONNECT, RESET -> ErrorCategory.NETWORK;
            case OTHER -> fromPatterns(t.message()).orElse(ErrorCategory.UNKNOWN);
        };
        return new Classification(category, null, clip(redact.apply(t.message())), Optional.empty());
    }

    private Classification http(final Failure.Http h, final Instant now) {
        final JsonNode body = parse(h.body());
        final String message = clip(redact.apply(errorMessage(body, h)));
        final Optional<Duration> hint = RetryHints.from(h.status(), h.headers(), body, message, now);
        final List<String> codes = errorCodes(body);
        final ErrorCategory category = lookup(codes, SPECIFIC_CODES)
                .or(() -> fromPatterns(message))
                .or(() -> lookup(codes, GENERIC_CODES))
                .orElseGet(() -> fromStatus(h.status()));
        return new Classification(category, h.status(), message, hint);
    }

    private Optional<ErrorCategory> fromPatterns(final String message) {
        for (final MessagePattern p : registered) {
            if (p.matches(message)) {
                return Optional.of(p.category());
            }
        }
        for (final MessagePattern p : BUILT_IN) {
            if (p.matches(message)) {
                return Optional.of(p.category());
            }
        }
        return Optional.empty();
    }

    /** The category an HTTP status implies on its own, for an error status (not 2xx). */
    public static ErrorCategory fromStatus(final int status) {
        return switch (status) {
            case 408, 504 -> ErrorCategory.TIMEOUT;
            case 429 -> ErrorCategory.RATE_LIMITED;
            case 401, 403 -> ErrorCategory.AUTHENTICATION;
            case 400, 413, 422 -> ErrorCategory.VALIDATION;
            case 404 -> ErrorCategory.NOT_FOUND;
            case 409, 425 -> ErrorCategory.TRANSIENT;
            case 529 -> ErrorCategory.SERVER_ERROR;
            default -> status >= 500 && status <= 599 ? ErrorCategory.SERVER_ERROR : ErrorCategory.UNKNOWN;
        };
    }

    private static Optional<ErrorCategory> lookup(final List<String> codes, final Map<String, ErrorCategory> table) {
        for (final String code : codes) {
            final ErrorCategory c = table.get(code);
            if (c != null) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The provider codes present in the body, lower-cased: OpenAI {@code error.code} and
     * {@code error.type}, Anthropic {@code error.type}, Gemini {@code error.status}.
     */
    private static List<String> errorCodes(final JsonNode body) {
        if (body == null) {
            return List.of();
        }
        final JsonNode error = body.path("error");
        return java.util.stream.Stream.of(error.path("code"), error.path("type"), error.path("status"))
                .filter(JsonNode::isTextual)
                .map(n -> n.asText().toLowerCase(Locale.ROOT))
                .toList();
    }

    private static String errorMessage(final JsonNode body, final Failure.Http h) {
        if (body != null) {
            final JsonNode error = body.path("error");
            if (error.path("message").isTextual()) {
                return error.path("message").asText();
            }
            if (error.isTextual()) {
                return error.asText();
            }
            if (body.path("message").isTextual()) {
                return body.path("message").asText();
            }
        }
        final String text = h.body().isBlank() ? "HTTP " + h.status() : h.body().strip();
        return text;
    }

    private static JsonNode parse(final String body) {
        if (body.isBlank() || body.charAt(0) != '{' && !body.stripLeading().startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (final JsonProcessingException e) {
            return null;
        }
    }

    private static String clip(final String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
