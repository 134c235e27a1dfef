package dev.rebound.ratelimit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderWordTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    /** Headers from name/value pairs, in the given case. */
    private static Map<String, List<String>> headers(final String... pairs) {
        final Map<String, List<String>> h = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], List.of(pairs[i + 1]));
        }
        return h;
    }

    @Test
    void shouldReadOpenAisHeaders() {
        // the example in OpenAI's rate-limit guide
        final ProviderWord word = ProviderWord.from(200, headers(
                "x-ratelimit-limit-requests", "60",
                "x-ratelimit-limit-tokens", "150000",
                "x-ratelimit-remaining-requests", "59",
                "x-ratelimit-remaining-tokens", "149984",
                "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-reset-tokens", "6m0s"), NOW);

        assertThat(word).isEqualTo(new ProviderWord(
                OptionalLong.of(59), OptionalLong.of(149_984),
                Optional.of(NOW.plusSeconds(1)), Optional.of(NOW.plus(Duration.ofMinutes(6))),
                Optional.empty(), OptionalLong.of(60), OptionalLong.of(150_000)));
        assertThat(word.saysAnything()).isTrue();
    }

    @ParameterizedTest(name = "{0} -> {1} ms")
    @CsvSource({"20ms, 20", "1s, 1000", "6m0s, 360000", "1h2m3.5s, 3723500", "0s, 0", "59.123s, 59123"})
    void shouldReadOpenAiResetDurations(final String reset, final long millis) {
        final ProviderWord word = ProviderWord.from(200, headers("x-ratelimit-reset-tokens", reset), NOW);
        assertThat(word.tokensResetAt()).contains(NOW.plusMillis(millis));
    }

    @Test
    void shouldReadAnthropicsHeadersTakingTheTokenKindWithTheLeastLeft() {
        final ProviderWord word = ProviderWord.from(200, headers(
                "anthropic-ratelimit-requests-limit", "4000",
                "anthropic-ratelimit-requests-remaining", "3999",
                "anthropic-ratelimit-requests-reset", "2026-11-29T12:00:01Z",
                "anthropic-ratelimit-tokens-limit", "480000",
                "anthropic-ratelimit-tokens-remaining", "480000",
                "anthropic-ratelimit-tokens-reset", "2026-11-29T12:00:02Z",
                "anthropic-ratelimit-input-tokens-limit", "400000",
                "anthropic-ratelimit-input-tokens-remaining", "400000",
                "anthropic-ratelimit-input-tokens-reset", "2026-11-29T12:00:03Z",
                "anthropic-ratelimit-output-tokens-limit", "80000",
                "anthropic-ratelimit-output-tokens-remaining", "12000",
                "anthropic-ratelimit-output-tokens-reset", "2026-11-29T12:00:45Z",
                "request-id", "req_018EeWyXxfu5pfWkrYcMdjWG"), NOW);

        assertThat(word.limitRequests()).hasValue(4000);
        assertThat(word.remainingRequests()).hasValue(3999);
        assertThat(word.requestsResetAt()).contains(NOW.plusSeconds(1));
        assertThat(word.remainingTokens()).hasValue(12_000);
        assertThat(word.limitTokens()).hasValue(80_000);
        assertThat(word.tokensResetAt()).contains(NOW.plusSeconds(45));
        assertThat(word.pausedUntil()).isEmpty();
    }

    @Test
    void shouldPreferTheFirstTokenKindOnATieAndReadOffsets() {
        final ProviderWord word = ProviderWord.from(200, headers(
                "anthropic-ratelimit-input-tokens-remaining", "500",
                "anthropic-ratelimit-input-tokens-reset", "2026-11-29T13:00:10+01:00",
                "anthropic-ratelimit-output-tokens-remaining", "500",
                "anthropic-ratelimit-output-tokens-reset", "2026-11-29T12:00:20Z"), NOW);
        assertThat(word.remainingTokens()).hasValue(500);
        assertThat(word.tokensResetAt()).contains(NOW.plusSeconds(10));
    }

    @Test
    void shouldReadAnthropicsOverloadedAnswer() {
        final ProviderWord word = ProviderWord.from(529, headers("retry-after", "10", "anthropic-ratelimit-requests-remaining", "0"), NOW);
        assertThat(word.pausedUntil()).contains(NOW.plusSeconds(10));
        assertThat(word.remainingRequests()).hasValue(0);
    }

    @ParameterizedTest(name = "{0}: {1} = {2} -> +{3} ms")
    @CsvSource({
            "429, Retry-After, 20, 20000",
            "503, retry-after, 1.5, 1500",
            "529, RETRY-AFTER, 0, 0",
            "429, retry-after, 'Sun, 29 Nov 2026 12:01:00 GMT', 60000",
            "429, retry-after, 'Sun, 29 Nov 2026 11:00:00 GMT', 0",
            "429, retry-after-ms, 250, 250",
            "429, Retry-After-Ms, 1e3, 1000",
    })
    void shouldPauseOnTheStatusesThatAskForIt(final int status, final String name, final String value, final long millis) {
        assertThat(ProviderWord.from(status, headers(name, value), NOW).pausedUntil()).contains(NOW.plusMillis(millis));
    }

    @Test
    void shouldPreferRetryAfterMsAndFallBackWhenItIsUnreadable() {
        assertThat(ProviderWord.from(429, headers("retry-after-ms", "1500", "retry-after", "2"), NOW).pausedUntil())
                .contains(NOW.plusMillis(1500));
        assertThat(ProviderWord.from(429, headers("retry-after-ms", "soon", "retry-after", "2"), NOW).pausedUntil())
                .contains(NOW.plusSeconds(2));
        assertThat(ProviderWord.from(429, headers("retry-after-ms", "999999999999", "retry-after", "2"), NOW).pausedUntil())
                .contains(NOW.plusSeconds(2));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 500, 502})
    void shouldNotPauseOnOtherStatuses(final int status) {
        assertThat(ProviderWord.from(status, headers("retry-after", "20"), NOW)).isEqualTo(ProviderWord.NONE);
    }

    @ParameterizedTest(name = "{0} = \"{1}\"")
    @CsvSource({
            "x-ratelimit-remaining-requests, -1",
            "x-ratelimit-remaining-requests, 59.0",
            "x-ratelimit-remaining-requests, lots",
            "x-ratelimit-remaining-requests, ''",
            "x-ratelimit-remaining-requests, 99999999999999999999",
            "x-ratelimit-limit-tokens, 1000000000001",
            "x-ratelimit-reset-requests, 30",
            "x-ratelimit-reset-requests, -5s",
            "x-ratelimit-reset-requests, 169h",
            "x-ratelimit-reset-tokens, PT-5S",
            "anthropic-ratelimit-requests-reset, 2026-11-29T11:59:59Z",
            "anthropic-ratelimit-requests-reset, 2026-12-07T12:00:01Z",
            "anthropic-ratelimit-tokens-reset, yesterday",
            "anthropic-ratelimit-tokens-reset, 1764417600",
            "retry-after, soon",
            "retry-after, 604801",
            "retry-after-ms, 1e400",
    })
    void shouldIgnoreWhatCannotBeBelieved(final String name, final String value) {
        assertThat(ProviderWord.from(429, headers(name, value), NOW)).isEqualTo(ProviderWord.NONE);
    }

    @Test
    void shouldKeepTheReadableFieldsBesideAGarbageOne() {
        final ProviderWord word = ProviderWord.from(200, headers(
                "x-ratelimit-remaining-requests", "many", "x-ratelimit-remaining-tokens", "1200",
                "x-ratelimit-reset-tokens", "7d1s"), NOW);
        assertThat(word.remainingRequests()).isEmpty();
        assertThat(word.remainingTokens()).hasValue(1200);
        assertThat(word.tokensResetAt()).isEmpty();
    }

    @Test
    void shouldAcceptTheEdgesOfTheWindow() {
        final ProviderWord word = ProviderWord.from(429, headers(
                "anthropic-ratelimit-requests-reset", "2026-11-29t12:00:00z",
                "retry-after", "604800"), NOW);
        assertThat(word.requestsResetAt()).contains(NOW);
        assertThat(word.pausedUntil()).contains(NOW.plus(Duration.ofDays(7)));
    }

    @Test
    void shouldTakeOpenAisValuesFirstAndAnthropicsForTheGaps() {
        final ProviderWord word = ProviderWord.from(200, headers(
                "x-ratelimit-remaining-tokens", "100",
                "anthropic-ratelimit-tokens-remaining", "5",
                "anthropic-ratelimit-tokens-limit", "9000"), NOW);
        assertThat(word.remainingTokens()).hasValue(100);
        assertThat(word.limitTokens()).hasValue(9000);
    }

    @Test
    void shouldSayNothingForAResponseWithoutLimitHeaders() {
        final ProviderWord word = ProviderWord.from(200, headers("content-type", "application/json", "x-request-id", "abc"), NOW);
        assertThat(word).isEqualTo(ProviderWord.NONE);
        assertThat(word.saysAnything()).isFalse();
        assertThat(ProviderWord.NONE.saysAnything()).isFalse();
    }

    @Test
    void shouldNeverThrowOnBrokenHeaderMaps() {
        final Map<String, List<String>> broken = new HashMap<>();
        broken.put(null, List.of("HTTP/1.1 429 Too Many Requests"));
        broken.put("retry-after", Arrays.asList(null, "3"));
        broken.put("x-ratelimit-remaining-requests", List.of());
        broken.put("x-ratelimit-remaining-tokens", null);
        assertThat(ProviderWord.from(429, broken, NOW).pausedUntil()).contains(NOW.plusSeconds(3));
        assertThat(ProviderWord.from(429, null, NOW)).isEqualTo(ProviderWord.NONE);
        assertThat(ProviderWord.from(429, Map.of(), NOW)).isEqualTo(ProviderWord.NONE);
        assertThat(ProviderWord.from(429, headers("retry-after", "3"), null)).isEqualTo(ProviderWord.NONE);
    }
}
