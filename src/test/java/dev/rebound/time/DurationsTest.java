package dev.rebound.time;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({"250ms, 250", "30s, 30000", "5m, 300000", "1h, 3600000", "6m0s, 360000", "1h2m3.5s, 3723500",
            "1.5s, 1500", "PT30S, 30000", "1d, 86400000"})
    void shouldParseDurations(final String text, final long millis) {
        assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "thirty seconds", "5x", "-5s", "s", "PTXS"})
    void shouldRejectWhatIsNotADuration(final String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }
}
