package dev.rebound.classify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turns the evidence of a failed attempt into a {@link Classification}. A pure function of its
 * input and the time.
 *
 * <p>Evidence is read in this order, the first that speaks decides:
 * <ol>
 *   <li>a transport failure (timeout, refused, reset);</li>
 *   <li>a provider-specific type, code, reason or header that names one condition
 *       ({@link ProviderEvidence#decisive}: {@code insufficient_quota}, {@code context_length_exceeded},
 *       Bedrock's {@code x-amzn-ErrorType}, Gemini's per-day or per-minute {@code QuotaFailure}, ...);</li>
 *   <li>what providers say in words ({@link ProviderMessages}): Anthropic's "prompt is too long"
 *       inside a generic {@code invalid_request_error}, a spend limit inside a {@code rate_limit_error};</li>
 *   <li>message patterns registered in configuration;</li>
 *   <li>the HTTP status when it is specific (anything but 400 and 422): a 401 with
 *       {@code invalid_request_error} is an authentication failure, a 402 a spent quota;</li>
 *   <li>a generic provider code ({@code invalid_request_error}, {@code resource_exhausted});</li>
 *   <li>the status.</li>
 * </ol>
 * A rate limit whose own hint asks for an hour or more is a spent quota: no request waits that
 * long, and the circuit should cool down instead. Numbers inside a message are never read as a
 * status: "processed 500 tokens" is not a 500.
 */
public final class ErrorClassifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 500;
    /** A rate limit that asks for at least this long a wait is a quota. */
    static final Duration QUOTA_HINT = Duration.ofHours(1);

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
            case OTHER -> registered(t.message()).or(() -> ProviderMessages.match(t.message())).orElse(ErrorCategory.UNKNOWN);
        };
        return new Classification(category, null, clip(redact.apply(t.message())), Optional.empty());
    }

    private Classification http(final Failure.Http h, final Instant now) {
        final JsonNode body = parse(h.body());
        final String fullMessage = redact.apply(errorMessage(body, h));
        final String message = clip(fullMessage);
        final Optional<Duration> hint = RetryHints.from(h.status(), h.headers(), body, message, now);
        final ProviderEvidence evidence = ProviderEvidence.of(h.headers(), body, fullMessage);
        ErrorCategory category = evidence.decisive()
                .or(() -> ProviderMessages.match(fullMessage))
                .or(() -> registered(fullMessage))
                .or(() -> h.status() == 400 || h.status() == 422 ? Optional.empty() : Optional.of(fromStatus(h.status()))
                        .filter(c -> c != ErrorCategory.UNKNOWN))
                .or(evidence::generic)
                .orElseGet(() -> fromStatus(h.status()));
        if (category == ErrorCategory.RATE_LIMITED && hint.filter(d -> d.compareTo(QUOTA_HINT) >= 0).isPresent()) {
            category = ErrorCategory.QUOTA_EXHAUSTED;
        }
        return new Classification(category, h.status(), message, hint);
    }

    private Optional<ErrorCategory> registered(final String message) {
        for (final MessagePattern p : registered) {
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
            case 402 -> ErrorCategory.QUOTA_EXHAUSTED;
            case 400, 413, 422 -> ErrorCategory.VALIDATION;
            case 404 -> ErrorCategory.NOT_FOUND;
            case 409, 425 -> ErrorCategory.TRANSIENT;
            case 424, 529 -> ErrorCategory.SERVER_ERROR; // 424: TGI's "request failed during generation"
            default -> status >= 500 && status <= 599 ? ErrorCategory.SERVER_ERROR : ErrorCategory.UNKNOWN;
        };
    }

    private static String errorMessage(final JsonNode body, final Failure.Http h) {
        if (body != null) {
            if (body.path("error").path("metadata").path("raw").isTextual()) {
                // OpenRouter passes the upstream provider's own error through
                return body.path("error").path("message").asText() + ": " + body.path("error").path("metadata").path("raw").asText();
            }
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
            if (body.path("detail").isTextual()) {
                return body.path("detail").asText();
            }
        }
        final String text = h.body().isBlank() ? "HTTP " + h.status() : h.body().strip();
        return text;
    }

    private static JsonNode parse(final String body) {
        final String lead = body.stripLeading();
        if (lead.isEmpty() || lead.charAt(0) != '{' && lead.charAt(0) != '[') {
            return null;
        }
        try {
            final JsonNode tree = JSON.readTree(body);
            // Gemini's OpenAI-compatible endpoint wraps its error in a one-element array
            return tree.isArray() && tree.size() > 0 && tree.get(0).isObject() ? tree.get(0) : tree;
        } catch (final JsonProcessingException e) {
            return null;
        }
    }

    private static String clip(final String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
