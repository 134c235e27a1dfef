package dev.rebound.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/** A request whose target has no room waits longer each time it is parked in a row, up to a cap. */
class ParkingTest {

    private static Env env(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        return new Env() {
            @Override
            public boolean retryPermit(final Instant now) {
                return true;
            }

            @Override
            public RandomGenerator random() {
                return random;
            }

            @Override
            public Optional<Cached> cached(final String primary, final String cacheKey, final Duration ttl, final Instant now) {
                return Optional.empty();
            }
        };
    }

    @Test
    void shouldDoubleTheWaitEachTimeARequestIsParkedAgainUpToThirtySecondsPlusAsMuchAgainAtRandom() {
        final Env env = env(3);
        for (int parks = 0; parks < 10; parks++) {
            final long base = Math.min(1_000L << Math.min(parks, 5), 30_000);
            for (int draw = 0; draw < 50; draw++) {
                assertThat(Lifecycle.parkFor(parks, env).toMillis()).as("parked %d times", parks).isBetween(base, 2 * base);
            }
        }
    }
}
