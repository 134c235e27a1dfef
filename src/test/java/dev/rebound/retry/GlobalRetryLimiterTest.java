package dev.rebound.retry;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class GlobalRetryLimiterTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void shouldAllowAtMostOneSecondOfPermitsThenRefillOverTime() {
        final GlobalRetryLimiter limiter = new GlobalRetryLimiter(10);
        int granted = 0;
        for (int i = 0; i < 25; i++) {
            granted += limiter.tryAcquire(T0) ? 1 : 0;
        }
        assertThat(granted).isEqualTo(10);
        assertThat(limiter.tryAcquire(T0.plusMillis(50))).isFalse();
        assertThat(limiter.tryAcquire(T0.plusMillis(100))).as("one permit per 100 ms at 10/s").isTrue();
        assertThat(limiter.tryAcquire(T0.plusMillis(100))).isFalse();
    }

    @Test
    void shouldStillGrantWhenTheCapIsBelowOnePerSecond() {
        final GlobalRetryLimiter limiter = new GlobalRetryLimiter(0.5);
        assertThat(limiter.tryAcquire(T0)).isTrue();
        assertThat(limiter.tryAcquire(T0.plusMillis(1_000))).isFalse();
        assertThat(limiter.tryAcquire(T0.plusMillis(2_000))).as("one every two seconds").isTrue();
    }
}
