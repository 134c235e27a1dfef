package dev.rebound.classify;

import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RetryHintsTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private static Optional<Duration> hint(final int status, final Map<String, List<String>> headers) {
        return RetryHints.from(status, headers, null, "", NOW);
    }

    @Test
    void shouldReadRetryAfterInSeconds() {
        assertThat(hint(429, Map.of("Retry-After", List.of("7")))).contains(Duration.ofSeconds(7));
    }

    @Test
    void shouldReadRetryAfterAsAnHttpDate() {
        assertThat(hint(503, Map.of("retry-after", List.of("Sun, 29 Nov 2026 12:00:42 GMT")))).contains(Duration.ofSeconds(42));
    }

    @Test
    void shouldTreatAnHttpDateInThePastAsNoWait() {
        assertThat(hint(503, Map.of("Retry-After", List.of("Sun, 29 Nov 2026 11:00:00 GMT")))).contains(Duration.ZERO);
    }

    @Test
    void shouldPreferRetryAfterMs() {
        assertThat(hint(429, Map.of("retry-after-ms", List.of("1500"), "Retry-After", List.of("9"))))
                .contains(Duration.ofMillis(1500));
    }

    @Test
    void shouldTakeTheLongerRateLimitResetOnA429() {
        assertThat(hint(429, Map.of("x-ratelimit-reset-requests", List.of("1s"), "x-ratelimit-reset-tokens", List.of("6m0s"))))
                .contains(Duration.ofMinutes(6));
    }

    @Test
    void shouldIgnoreRateLimitResetsOnOtherStatuses() {
        assertThat(hint(503, Map.of("x-ratelimit-reset-requests", List.of("1s")))).isEmpty();
    }

    @Test
    void shouldCapAnAbsurdHintAtSevenDays() {
        assertThat(hint(429, Map.of("retry-after-ms", List.of("1e400")))).contains(Duration.ofDays(7));
        assertThat(RetryHints.fromMessage("retry after 9999999999999 seconds")).contains(Duration.ofDays(7));
    }

    @Test
    void shouldLeaveTheCapToFromWhenReadingOneValue() {
        assertThat(RetryHints.retryAfter("864000", NOW)).contains(Duration.ofDays(10));
        assertThat(RetryHints.retryAfter("-3", NOW)).contains(Duration.ZERO);
        assertThat(RetryHints.retryAfterMillis("2500.4")).contains(Duration.ofMillis(2500));
        assertThat(RetryHints.retryAfterMillis("-1")).contains(Duration.ZERO);
        assertThat(RetryHints.retryAfterMillis("soon")).isEmpty();
    }

    @Test
    void shouldIgnoreAnUnparseableHint() {
        assertThat(hint(429, Map.of("Retry-After", List.of("soon")))).isEmpty();
    }

    @ParameterizedTest(name = "\"{0}\" -> {1} ms")
    @CsvSource(delimiter = '|', value = {
            "Please retry after 30 seconds | 30000",
            "Rate limit reached. Please try again in 1.5s. | 1500",
            "try again in 20ms | 20",
            "Retry after 2 minutes | 120000",
            "retry in 5 | 5000"})
    void shouldFindHintsInMessages(final String message, final long millis) {
        assertThat(RetryHints.fromMessage(message)).contains(Duration.ofMillis(millis));
    }

    @Test
    void shouldNotFindAHintInAnUnrelatedNumber() {
        assertThat(RetryHints.fromMessage("processed 500 tokens in 30 seconds")).isEmpty();
    }

    @Test
    void shouldReadAGeminiRetryDelay() throws Exception {
        final var body = Json.MAPPER.readTree(
                "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"38s\"}]}}");
        assertThat(RetryHints.from(429, Map.of(), body, "", NOW)).contains(Duration.ofSeconds(38));
    }
}
