package dev.rebound.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void shouldLetOneLinePerKeyThroughPerPeriod() {
        final RateLimitedLog log = new RateLimitedLog(Duration.ofMinutes(1));
        assertThat(log.due("openai", T0)).isTrue();
        assertThat(log.due("openai", T0.plusSeconds(59))).isFalse();
        assertThat(log.due("anthropic", T0.plusSeconds(59))).as("keys are apart").isTrue();
        assertThat(log.due("openai", T0.plusSeconds(60))).isTrue();
        assertThat(log.due("openai", T0.plusSeconds(61))).isFalse();
    }
}
