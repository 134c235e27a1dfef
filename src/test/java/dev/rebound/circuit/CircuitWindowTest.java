package dev.rebound.circuit;

import dev.rebound.config.CircuitPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitWindowTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void shouldGiveTheSameFiguresAtOnceAsOneByOneForEitherKindOfWindow() {
        for (final CircuitPolicy.WindowType type : CircuitPolicy.WindowType.values()) {
            final CircuitPolicy p = new CircuitPolicy(type, Duration.ofSeconds(6), 20, 10, 0.5, 5, Duration.ofSeconds(2), 0.8,
                    Duration.ofSeconds(30), 2, false, CircuitPolicy.Scope.CLUSTER, true, Map.of());
            final SplittableRandom random = new SplittableRandom(11);
            CircuitWindow w = CircuitWindow.empty(p);
            Instant now = T0;
            assertThat(w.figures(now)).isEqualTo(new CircuitWindow.Figures(0, 0, 0));
            for (int i = 0; i < 1_000; i++) {
                now = now.plusMillis(random.nextInt(100));
                w = w.record(now, random.nextInt(3) == 0, random.nextInt(4) == 0, random.nextInt(5) == 0, random.nextBoolean());
                final Instant asked = now.plusMillis(random.nextInt(8_000)); // past the window's end too
                assertThat(w.figures(asked)).as("%s window, call %d", type, i)
                        .isEqualTo(new CircuitWindow.Figures(w.calls(asked), w.failureRate(asked), w.slowCallRate(asked)));
            }
        }
    }
}
