package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import dev.rebound.time.Durations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What the provider limit answers and counts, with the clock in the test's hands. */
class ProviderLimiterTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private void at(final long ms) {
        clock.set(1_000_000_000L + Duration.ofMillis(ms).toNanos());
    }

    @Test
    void shouldAcceptUpToTheLimitThenRefuseUntilTheOldestCallLeavesTheWindow() throws Exception {
        // given 5 calls a minute, spent one a second
        final ProviderLimiter limiter = new ProviderLimiter(ProviderLimit.requestsPerMinute(5), clock::get);
        final List<ProviderLimiter.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            at(i * 1_000L);
            verdicts.add(limiter.admit(1));
        }
        assertThat(verdicts).allMatch(ProviderLimiter.Verdict::accepted);
        assertThat(verdicts).extracting(v -> v.headers().get("x-ratelimit-remaining-requests")).containsExactly("4", "3", "2", "1", "0");
        assertThat(verdicts.get(3).headers()).containsEntry("x-ratelimit-limit-requests", "5").containsEntry("x-ratelimit-reset-requests", "0s");
        assertThat(verdicts.get(4).headers()).as("full: room again when the call at 0 s leaves, at 60 s")
                .containsEntry("x-ratelimit-reset-requests", "56s").doesNotContainKey("Retry-After");

        // when a sixth comes at 10.5 s
        at(10_500);
        final ProviderLimiter.Verdict refused = limiter.admit(1);

        // then it is refused as OpenAI does, told to wait 49.5 s
        assertThat(refused.accepted()).isFalse();
        assertThat(refused.headers()).containsEntry("Retry-After", "50").containsEntry("retry-after-ms", "49500")
                .containsEntry("x-ratelimit-remaining-requests", "0").containsEntry("x-ratelimit-reset-requests", "49.5s")
                .doesNotContainKey("x-ratelimit-limit-tokens");
        final JsonNode error = Json.MAPPER.readTree(refused.refusal().orElseThrow()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("requests");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).startsWith("Rate limit reached for requests").contains("Limit 5, Used 5", "49.5s");

        // and at 60 s exactly the first call has left and one more is accepted
        at(59_999);
        assertThat(limiter.admit(1).accepted()).isFalse();
        at(60_000);
        assertThat(limiter.admit(1).accepted()).isTrue();
    }

    @Test
    void shouldTellAtLeastOneSecondWhenTheWaitIsShorter() {
        final ProviderLimiter limiter = new ProviderLimiter(ProviderLimit.requestsPerMinute(1), clock::get);
        at(0);
        limiter.admit(1);
        at(59_800);

        final ProviderLimiter.Verdict refused = limiter.admit(1);

        assertThat(refused.headers()).containsEntry("Retry-After", "1").containsEntry("retry-after-ms", "200")
                .containsEntry("x-ratelimit-reset-requests", "200ms");
    }

    @Test
    void shouldLimitTokensAndSayWhichLimitRefused() throws Exception {
        final ProviderLimiter limiter = new ProviderLimiter(ProviderLimit.requestsPerMinute(100).withTokensPerMinute(1_000), clock::get);
        at(0);
        final ProviderLimiter.Verdict first = limiter.admit(600);
        at(1_000);
        final ProviderLimiter.Verdict second = limiter.admit(500);

        assertThat(first.accepted()).isTrue();
        assertThat(first.headers()).containsEntry("x-ratelimit-limit-tokens", "1000").containsEntry("x-ratelimit-remaining-tokens", "400")
                .containsEntry("x-ratelimit-reset-tokens", "0s").containsEntry("x-ratelimit-remaining-requests", "99");
        assertThat(second.accepted()).isFalse();
        assertThat(second.headers()).containsEntry("x-ratelimit-reset-tokens", "59s").containsEntry("x-ratelimit-reset-requests", "0s")
                .containsEntry("Retry-After", "59");
        final JsonNode error = Json.MAPPER.readTree(second.refusal().orElseThrow()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("tokens");
        assertThat(error.path("message").asText()).contains("tokens per min (TPM): Limit 1000, Used 600, Requested 500");
        assertThat(limiter.admit(400).accepted()).as("a smaller call still fits").isTrue();
    }

    @Test
    void shouldCountAcceptedRefusedTheFullestWindowAndEachMinute() {
        final ProviderLimiter limiter = new ProviderLimiter(ProviderLimit.requestsPerMinute(3), clock::get);
        // minute 0: three accepted at 40..42 s, two refused
        for (int i = 0; i < 5; i++) {
            at(40_000 + i * 1_000L);
            limiter.admit(1);
        }
        // minute 1: at 101.5 s the calls of 40 and 41 s have left, the one of 42 s has not
        at(101_500);
        limiter.admit(1);
        limiter.admit(1);
        limiter.admit(1);
        // minute 2 passes without calls; stats read in minute 3
        at(185_000);

        final ProviderLimitStats stats = limiter.stats();

        assertThat(stats.accepted()).isEqualTo(5);
        assertThat(stats.refused()).isEqualTo(3);
        assertThat(stats.maxAcceptedInWindow()).isEqualTo(3);
        assertThat(stats.acceptedPerMinute()).containsExactly(3L, 2L, 0L, 0L);
        assertThat(stats.maxTokensInWindow()).isEmpty();
        assertThat(stats.toJson().path("acceptedPerMinute").toString()).isEqualTo("[3,2,0,0]");
    }

    @Test
    void shouldNeverAcceptMoreThanTheLimitFromManyThreadsAtOnce() throws Exception {
        // given a frozen clock, so no call ever leaves the window: exactly the limit may be accepted
        final int limit = 500;
        final ProviderLimiter limiter = new ProviderLimiter(ProviderLimit.requestsPerMinute(limit), clock::get);
        final AtomicInteger accepted = new AtomicInteger();
        final CountDownLatch go = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            final Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int i = 0; i < 1_000; i++) {
                    if (limiter.admit(1).accepted()) {
                        accepted.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }

        // when eight threads call 1 000 times each
        go.countDown();
        for (final Thread t : threads) {
            t.join();
        }

        // then the limit is reached exactly, and the counters agree with what the callers saw
        assertThat(accepted.get()).isEqualTo(limit);
        final ProviderLimitStats stats = limiter.stats();
        assertThat(stats.accepted()).isEqualTo(limit);
        assertThat(stats.refused()).isEqualTo(8_000 - limit);
        assertThat(stats.maxAcceptedInWindow()).isEqualTo(limit);
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "1, 1ms", "1000000, 1ms", "850000000, 850ms", "1000000000, 1s", "1250000000, 1.25s", "49500000000, 49.5s",
            "61500000000, 1m1.5s", "360000000000, 6m0s", "3600000000000, 1h0m0s", "3723004000000, 1h2m3.004s"})
    void shouldPrintDurationsAsGoDoesAndAsReboundParsesThem(final long nanos, final String expected) {
        assertThat(ProviderLimiter.goDuration(nanos)).isEqualTo(expected);
        assertThat(Durations.parse(expected)).as("Rebound reads its own hint back")
                .contains(Duration.ofMillis(-Math.floorDiv(-nanos, 1_000_000L)));
    }

    @Test
    void shouldCountTokensAsMaxTokensPlusAQuarterOfTheBodyBytes() throws Exception {
        final String body = "{\"max_tokens\":100,\"messages\":[]}";
        assertThat(ProviderLimit.tokensOf(Json.MAPPER.readTree(body), body.length())).isEqualTo(100 + body.length() / 4);
        assertThat(ProviderLimit.tokensOf(Json.MAPPER.createObjectNode(), 0)).as("at least one").isEqualTo(1);
    }
}
