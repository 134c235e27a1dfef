package dev.rebound.retry;

import dev.rebound.config.Jitter;
import dev.rebound.config.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    /** A random source that always draws {@code value} from [0, 1). */
    private static RandomGenerator fixed(final double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private static RetryPolicy policy(final Jitter jitter) {
        return new RetryPolicy(10, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), jitter);
    }

    @ParameterizedTest(name = "attempt {0} -> {1} ms")
    @CsvSource({"1, 1000", "2, 2000", "3, 4000", "5, 16000", "6, 30000", "9, 30000"})
    void shouldGrowExponentiallyUpToTheCapWithoutJitter(final int attempt, final long millis) {
        assertThat(Backoff.delay(policy(Jitter.NONE), attempt, Optional.empty(), fixed(0.7))).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "{0} with draw {1} at attempt 3 -> {2} ms")
    @CsvSource({
            "FULL, 0.0, 0", "FULL, 0.5, 2000", "FULL, 0.999, 3996",
            "EQUAL, 0.0, 2000", "EQUAL, 0.5, 3000", "EQUAL, 0.999, 3998"})
    void shouldSpreadTheDelayByTheJitterMode(final Jitter jitter, final double draw, final long millis) {
        assertThat(Backoff.delay(policy(jitter), 3, Optional.empty(), fixed(draw))).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void shouldDrawDecorrelatedJitterFromTheInitialDelayToThreeTimesThePreviousWait() {
        final RetryPolicy p = policy(Jitter.DECORRELATED);
        assertThat(Backoff.delay(p, 2, Optional.of(Duration.ofSeconds(4)), fixed(0.0))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.delay(p, 2, Optional.of(Duration.ofSeconds(4)), fixed(0.5))).isEqualTo(Duration.ofMillis(6500));
        assertThat(Backoff.delay(p, 2, Optional.of(Duration.ofSeconds(20)), fixed(0.99))).as("capped").isEqualTo(Duration.ofSeconds(30));
        assertThat(Backoff.delay(p, 1, Optional.empty(), fixed(0.5))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldWaitForAProviderHintWhenItIsLonger() {
        assertThat(Backoff.wait(Duration.ofSeconds(2), Optional.of(Duration.ofMinutes(6)))).isEqualTo(Duration.ofMinutes(6));
        assertThat(Backoff.wait(Duration.ofSeconds(2), Optional.of(Duration.ofMillis(500)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Backoff.wait(Duration.ofSeconds(2), Optional.empty())).isEqualTo(Duration.ofSeconds(2));
    }
}
