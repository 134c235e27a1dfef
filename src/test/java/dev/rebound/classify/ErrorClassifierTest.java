package dev.rebound.classify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorClassifierTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private final ErrorClassifier classifier = ErrorClassifier.defaults();

    private Classification http(final int status, final String body) {
        return classifier.classify(new Failure.Http(status, Map.of(), body), NOW);
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "408, TIMEOUT", "429, RATE_LIMITED", "401, AUTHENTICATION", "403, AUTHENTICATION", "400, VALIDATION",
            "422, VALIDATION", "404, NOT_FOUND", "500, SERVER_ERROR", "502, SERVER_ERROR", "503, SERVER_ERROR",
            "504, TIMEOUT", "529, SERVER_ERROR", "425, TRANSIENT", "418, UNKNOWN", "302, UNKNOWN"})
    void shouldClassifyByStatusWhenTheBodySaysNothing(final int status, final ErrorCategory expected) {
        assertThat(http(status, "").category()).isEqualTo(expected);
        assertThat(http(status, "").httpStatus()).isEqualTo(status);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // OpenAI: quota arrives as a 429 but is not a rate limit
            "429 | {\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}} | QUOTA_EXHAUSTED",
            "429 | {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}} | RATE_LIMITED",
            "400 | {\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}} | CONTEXT_TOO_LONG",
            "400 | {\"error\":{\"message\":\"Your request was rejected by our safety system\",\"type\":\"invalid_request_error\",\"code\":\"content_policy_violation\"}} | CONTENT_POLICY",
            "401 | {\"error\":{\"message\":\"Incorrect API key\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}} | AUTHENTICATION",
            // Anthropic
            "529 | {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}} | SERVER_ERROR",
            "429 | {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of requests has exceeded your rate limit\"}} | RATE_LIMITED",
            "400 | {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}} | CONTEXT_TOO_LONG",
            "400 | {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages: field required\"}} | VALIDATION",
            "404 | {\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"model: claude-9\"}} | NOT_FOUND",
            "403 | {\"type\":\"error\",\"error\":{\"type\":\"permission_error\",\"message\":\"no access\"}} | AUTHENTICATION",
            // Gemini
            "429 | {\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}} | RATE_LIMITED",
            "503 | {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}} | SERVER_ERROR",
            "400 | {\"error\":{\"code\":400,\"message\":\"API key not valid\",\"status\":\"INVALID_ARGUMENT\"}} | AUTHENTICATION",
            "504 | {\"error\":{\"code\":504,\"message\":\"Deadline expired\",\"status\":\"DEADLINE_EXCEEDED\"}} | TIMEOUT"})
    void shouldReadProviderErrorBodies(final int status, final String body, final ErrorCategory expected) {
        assertThat(http(status, body).category()).isEqualTo(expected);
    }

    @Test
    void shouldNotReadANumberInAMessageAsAStatus() {
        final Classification transport = classifier.classify(
                new Failure.Transport(Failure.TransportKind.OTHER, "processed 500 tokens then failed"), NOW);
        assertThat(transport.category()).isEqualTo(ErrorCategory.UNKNOWN);
        assertThat(transport.httpStatus()).isNull();

        final Classification badRequest = http(400, "{\"error\":{\"message\":\"processed 500 tokens, 503 left\"}}");
        assertThat(badRequest.category()).isEqualTo(ErrorCategory.VALIDATION);
        assertThat(badRequest.httpStatus()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"TIMEOUT, TIMEOUT", "CONNECT, NETWORK", "RESET, NETWORK", "OTHER, UNKNOWN"})
    void shouldClassifyTransportFailures(final Failure.TransportKind kind, final ErrorCategory expected) {
        final Classification c = classifier.classify(new Failure.Transport(kind, "boom"), NOW);
        assertThat(c.category()).isEqualTo(expected);
        assertThat(c.httpStatus()).isNull();
    }

    @Test
    void shouldLetRegisteredPatternsOutrankTheStatus() {
        final ErrorClassifier custom = new ErrorClassifier(
                List.of(new MessagePattern(Pattern.compile("(?i)gpu pool exhausted"), ErrorCategory.SERVER_ERROR)), s -> s);
        final Classification c = custom.classify(new Failure.Http(400, Map.of(), "{\"error\":{\"message\":\"GPU pool exhausted\"}}"), NOW);
        assertThat(c.category()).isEqualTo(ErrorCategory.SERVER_ERROR);
        assertThat(c.retryable()).isTrue();
    }

    @Test
    void shouldParseARetryHintSpelledOutInTheMessage() {
        final Classification c = http(503, "{\"error\":{\"message\":\"Service busy, retry after 30 seconds\"}}");
        assertThat(c.retryAfter()).contains(Duration.ofSeconds(30));
    }

    @Test
    void shouldRedactSecretsFromMessages() {
        final ErrorClassifier redacting = new ErrorClassifier(List.of(), s -> s.replace("sk-secret-123", "***"));
        final Classification c = redacting.classify(new Failure.Http(401, Map.of(),
                "{\"error\":{\"message\":\"Incorrect API key provided: sk-secret-123\"}}"), NOW);
        assertThat(c.message()).doesNotContain("sk-secret-123").contains("***");
    }

    @Test
    void shouldUseTheRawBodyWhenItIsNotJson() {
        final Classification c = http(502, "<html>Bad Gateway</html>");
        assertThat(c.category()).isEqualTo(ErrorCategory.SERVER_ERROR);
        assertThat(c.message()).contains("Bad Gateway");
    }

    @Test
    void shouldGiveEveryCategoryASeverityAndRetryability() {
        assertThat(ErrorCategory.AUTHENTICATION.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(ErrorCategory.AUTHENTICATION.retryable()).isFalse();
        assertThat(ErrorCategory.RATE_LIMITED.retryable()).isTrue();
        assertThat(ErrorCategory.UNKNOWN.retryable()).isFalse();
        assertThat(ErrorCategory.CONTEXT_TOO_LONG.retryable()).isFalse();
    }
}
