package dev.rebound.classify;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an error response says about itself, read the way each major provider says it, split into
 * decisive evidence (a type, code, reason or header that names one condition) and generic evidence
 * (a code that only says "bad request" or "throttled", which a message may refine).
 *
 * <p>Shapes read: OpenAI, Groq, DeepSeek, OpenRouter and Azure {@code error.{type,code}} (Azure's
 * {@code error.innererror.code}); Anthropic {@code error.type} and {@code error.details.error_code};
 * Gemini and Vertex {@code error.status} and their {@code google.rpc} details ({@code ErrorInfo.reason},
 * {@code QuotaFailure} quota ids); Mistral's top-level {@code type}/{@code code}; xAI's top-level
 * {@code code} (a gRPC status description) beside a string {@code error}; Hugging Face TGI's
 * {@code error_type}; Bedrock's {@code x-amzn-ErrorType} header.
 */
final class ProviderEvidence {

    /** Codes, types and reasons that name one condition precisely. Lower case. */
    private static final Map<String, ErrorCategory> DECISIVE = Map.ofEntries(
            Map.entry("overloaded_error", ErrorCategory.SERVER_ERROR),
            Map.entry("overloaded", ErrorCategory.SERVER_ERROR),
            Map.entry("incomplete_generation", ErrorCategory.SERVER_ERROR),
            Map.entry("model_capacity_exhausted", ErrorCategory.SERVER_ERROR),
            Map.entry("context_length_exceeded", ErrorCategory.CONTEXT_TOO_LONG),
            Map.entry("context_window_exceeded", ErrorCategory.CONTEXT_TOO_LONG),
            Map.entry("insufficient_quota", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("billing_hard_limit_reached", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("enforced_spend_limit_reached", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("quota_exceeded", ErrorCategory.QUOTA_EXHAUSTED),
            Map.entry("content_policy_violation", ErrorCategory.CONTENT_POLICY),
            Map.entry("content_filter", ErrorCategory.CONTENT_POLICY),
            Map.entry("responsibleaipolicyviolation", ErrorCategory.CONTENT_POLICY),
            Map.entry("authentication_error", ErrorCategory.AUTHENTICATION),
            Map.entry("invalid_api_key", ErrorCategory.AUTHENTICATION),
            Map.entry("permission_error", ErrorCategory.AUTHENTICATION),
            Map.entry("unauthenticated", ErrorCategory.AUTHENTICATION),
            Map.entry("permission_denied", ErrorCategory.AUTHENTICATION),
            Map.entry("unsupported_country_region_territory", ErrorCategory.AUTHENTICATION),
            Map.entry("api_key_invalid", ErrorCategory.AUTHENTICATION),
            Map.entry("api_key_service_blocked", ErrorCategory.AUTHENTICATION),
            Map.entry("service_disabled", ErrorCategory.AUTHENTICATION),
            Map.entry("access_token_scope_insufficient", ErrorCategory.AUTHENTICATION),
            Map.entry("not_found_error", ErrorCategory.NOT_FOUND),
            Map.entry("model_not_found", ErrorCategory.NOT_FOUND),
            Map.entry("invalid_model", ErrorCategory.NOT_FOUND),
            Map.entry("deploymentnotfound", ErrorCategory.NOT_FOUND),
            Map.entry("deadline_exceeded", ErrorCategory.TIMEOUT));

    /** Codes that only say what kind of thing went wrong; a message may know better. Lower case. */
    private static final Map<String, ErrorCategory> GENERIC = Map.ofEntries(
            Map.entry("invalid_request_error", ErrorCategory.VALIDATION),
            Map.entry("invalid_argument", ErrorCategory.VALIDATION),
            Map.entry("failed_precondition", ErrorCategory.VALIDATION),
            Map.entry("validation", ErrorCategory.VALIDATION),
            Map.entry("string_above_max_length", ErrorCategory.VALIDATION),
            Map.entry("request_too_large", ErrorCategory.VALIDATION),
            Map.entry("client specified an invalid argument", ErrorCategory.VALIDATION),
            Map.entry("not_found", ErrorCategory.NOT_FOUND),
            Map.entry("some requested entity was not found", ErrorCategory.NOT_FOUND),
            Map.entry("the caller does not have permission to execute the specified operation", ErrorCategory.AUTHENTICATION),
            Map.entry("rate_limit_error", ErrorCategory.RATE_LIMITED),
            Map.entry("rate_limit_exceeded", ErrorCategory.RATE_LIMITED),
            Map.entry("rate_limited", ErrorCategory.RATE_LIMITED),
            Map.entry("requests", ErrorCategory.RATE_LIMITED),
            Map.entry("tokens", ErrorCategory.RATE_LIMITED),
            Map.entry("resource_exhausted", ErrorCategory.RATE_LIMITED),
            Map.entry("some resource has been exhausted", ErrorCategory.RATE_LIMITED),
            Map.entry("server_error", ErrorCategory.SERVER_ERROR),
            Map.entry("api_error", ErrorCategory.SERVER_ERROR),
            Map.entry("internal", ErrorCategory.SERVER_ERROR),
            Map.entry("unavailable", ErrorCategory.SERVER_ERROR),
            Map.entry("service_unavailable", ErrorCategory.SERVER_ERROR),
            Map.entry("timeout", ErrorCategory.TIMEOUT));

    /** Bedrock's {@code x-amzn-ErrorType}: decisive ones, then the two a message may refine. */
    private static final Map<String, ErrorCategory> BEDROCK_DECISIVE = Map.of(
            "accessdeniedexception", ErrorCategory.AUTHENTICATION,
            "unrecognizedclientexception", ErrorCategory.AUTHENTICATION,
            "resourcenotfoundexception", ErrorCategory.NOT_FOUND,
            "serviceunavailableexception", ErrorCategory.SERVER_ERROR,
            "internalserverexception", ErrorCategory.SERVER_ERROR,
            "modelerrorexception", ErrorCategory.SERVER_ERROR,
            "modeltimeoutexception", ErrorCategory.TIMEOUT,
            "modelnotreadyexception", ErrorCategory.TRANSIENT,
            "servicequotaexceededexception", ErrorCategory.QUOTA_EXHAUSTED);
    private static final Map<String, ErrorCategory> BEDROCK_GENERIC = Map.of(
            "throttlingexception", ErrorCategory.RATE_LIMITED,
            "validationexception", ErrorCategory.VALIDATION);

    private static final Pattern PER_DAY = Pattern.compile("(?i)per ?day|per ?month|daily");
    private static final Pattern PER_MINUTE = Pattern.compile("(?i)per ?minute|per ?second|per ?min\\b");
    private static final Pattern LIMIT_ZERO = Pattern.compile("(?i)\\blimit: 0\\b");

    private final List<String> codes;
    private final Optional<String> bedrockType;
    private final Optional<ErrorCategory> googleQuota;

    private ProviderEvidence(final List<String> codes, final Optional<String> bedrockType, final Optional<ErrorCategory> googleQuota) {
        this.codes = codes;
        this.bedrockType = bedrockType;
        this.googleQuota = googleQuota;
    }

    static ProviderEvidence of(final Map<String, List<String>> headers, final JsonNode body, final String message) {
        final Optional<String> bedrock = RetryHints.header(headers, "x-amzn-ErrorType")
                .map(v -> v.split(":", 2)[0].trim().toLowerCase(Locale.ROOT));
        return new ProviderEvidence(codes(body), bedrock, googleQuota(body, message));
    }

    /** A type, code, reason or header that names the condition. */
    Optional<ErrorCategory> decisive() {
        return bedrockType.map(BEDROCK_DECISIVE::get)
                .or(() -> googleQuota)
                .or(() -> lookup(DECISIVE));
    }

    /** A code that only names the kind of failure. */
    Optional<ErrorCategory> generic() {
        return bedrockType.map(BEDROCK_GENERIC::get).or(() -> lookup(GENERIC));
    }

    private Optional<ErrorCategory> lookup(final Map<String, ErrorCategory> table) {
        for (final String code : codes) {
            final ErrorCategory c = table.get(code);
            if (c != null) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * Gemini and Vertex put the quota that ran out in a {@code QuotaFailure}: a per-day quota (or
     * a free tier whose limit is 0) is spent until tomorrow or a person acts; a per-minute one is a
     * rate limit. Both say "You exceeded your current quota", so the message cannot tell them apart.
     */
    private static Optional<ErrorCategory> googleQuota(final JsonNode body, final String message) {
        if (body == null) {
            return Optional.empty();
        }
        final List<String> quotaIds = new ArrayList<>();
        for (final JsonNode detail : body.path("error").path("details")) {
            if (detail.path("@type").asText().endsWith("google.rpc.QuotaFailure")) {
                detail.path("violations").forEach(v -> quotaIds.add(v.path("quotaId").asText("")));
            }
        }
        if (quotaIds.isEmpty()) {
            return Optional.empty();
        }
        if (LIMIT_ZERO.matcher(message).find() || quotaIds.stream().anyMatch(id -> PER_DAY.matcher(id).find())) {
            return Optional.of(ErrorCategory.QUOTA_EXHAUSTED);
        }
        return quotaIds.stream().anyMatch(id -> PER_MINUTE.matcher(id).find())
                ? Optional.of(ErrorCategory.RATE_LIMITED) : Optional.empty();
    }

    /** Every code-like value the body carries, lower-cased, most specific first. */
    private static List<String> codes(final JsonNode body) {
        final List<String> out = new ArrayList<>();
        if (body == null) {
            return out;
        }
        final JsonNode error = body.path("error");
        add(out, error.path("details").path("error_code"));
        add(out, error.path("innererror").path("code"));
        for (final JsonNode detail : error.path("details")) {
            add(out, detail.path("reason"));
        }
        add(out, error.path("code"));
        add(out, error.path("type"));
        add(out, error.path("status"));
        add(out, body.path("error_type"));
        add(out, body.path("type"));
        add(out, body.path("code"));
        return out;
    }

    private static void add(final List<String> out, final JsonNode node) {
        if (node.isTextual() && !node.asText().isBlank()) {
            out.add(node.asText().trim().toLowerCase(Locale.ROOT));
        }
    }
}
