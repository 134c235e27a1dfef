package dev.rebound.window;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SlidingCountsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void shouldCountAllCountersAtOnceAsOneByOne() {
        final SplittableRandom random = new SplittableRandom(7);
        SlidingCounts together = SlidingCounts.empty(12, 1_000, 4);
        SlidingCounts apart = SlidingCounts.empty(12, 1_000, 4);
        Instant now = T0;
        for (int i = 0; i < 2_000; i++) {
            now = now.plusMillis(random.nextInt(50)); // the window slides past old buckets many times
            final long[] deltas = {1, random.nextInt(2), random.nextInt(2), random.nextInt(3)};
            together = together.add(now, deltas);
            for (int c = 0; c < deltas.length; c++) {
                apart = deltas[c] == 0 ? apart : apart.add(now, c, deltas[c]);
            }
            assertThat(together).isEqualTo(apart);
            final long window = 1 + random.nextInt(15_000);
            final long[] sums = together.sums(now, window);
            for (int c = 0; c < deltas.length; c++) {
                assertThat(sums[c]).as("counter %d over %d ms", c, window).isEqualTo(apart.sum(now, c, window));
            }
        }
    }

    @Test
    void shouldLeaveTheCountsItWasAddedToAsTheyWere() {
        final SlidingCounts before = SlidingCounts.empty(4, 1_000, 2).add(T0, new long[] {1, 1});
        final SlidingCounts after = before.add(T0, new long[] {1, 0});
        assertThat(before.sums(T0, 4_000)).containsExactly(1, 1);
        assertThat(after.sums(T0, 4_000)).containsExactly(2, 1);
        assertThat(after.sums(T0.plusSeconds(4), 4_000)).as("slid past").containsExactly(0, 0);
    }
}
