package dev.rebound.topology;

import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TimerKeyTest {

    private static final Instant T = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    void shouldOrderKeysByDueTimeWhateverTheId() {
        final Bytes early = TimerKey.of(T, "zzzz");
        final Bytes late = TimerKey.of(T.plusMillis(1), "aaaa");
        assertThat(early.compareTo(late)).isNegative();
        assertThat(TimerKey.of(T.plusSeconds(1000), "a").compareTo(TimerKey.of(T.plusSeconds(256), "a"))).isPositive();
    }

    @Test
    void shouldBoundTheScanAtNow() {
        assertThat(TimerKey.of(T, "x").compareTo(TimerKey.upTo(T))).isNegative();
        assertThat(TimerKey.of(T.plusMillis(1), "x").compareTo(TimerKey.upTo(T))).isPositive();
        assertThat(TimerKey.from(0).compareTo(TimerKey.of(Instant.EPOCH, "x"))).isNegative();
    }

    @Test
    void shouldRoundTripDueTimeAndId() {
        final Bytes key = TimerKey.of(T, "req-ü-1");
        assertThat(TimerKey.due(key)).isEqualTo(T);
        assertThat(TimerKey.id(key)).isEqualTo("req-ü-1");
    }
}
