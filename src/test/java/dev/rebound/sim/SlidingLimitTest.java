package dev.rebound.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sliding window of accepted calls: exact at its edges, never a fixed minute bucket; time is passed in. */
class SlidingLimitTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static long ms(final long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    @Test
    void shouldAcceptTheLimitAndRefuseTheNextCallInTheSameWindow() {
        final SlidingLimit w = new SlidingLimit(3, MINUTE);
        w.add(ms(0), 1);
        w.add(ms(10_000), 1);
        w.add(ms(20_000), 1);

        assertThat(w.fits(ms(30_000), 1)).isFalse();
        assertThat(w.remaining(ms(30_000))).isZero();
        assertThatThrownBy(() -> w.add(ms(30_000), 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldLetTheNextCallInExactlyWhenTheOldestLeavesTheWindow() {
        final SlidingLimit w = new SlidingLimit(2, MINUTE);
        w.add(ms(1_000), 1);
        w.add(ms(2_000), 1);

        assertThat(w.fits(ms(61_000) - 1, 1)).as("one nanosecond before t+60s the oldest is still in").isFalse();
        assertThat(w.nanosUntilFits(ms(61_000) - 1, 1)).isEqualTo(1);
        assertThat(w.fits(ms(61_000), 1)).as("at t+60s it has left").isTrue();
        w.add(ms(61_000), 1);
        assertThat(w.fits(ms(61_500), 1)).as("the second is still in until 62 s").isFalse();
        assertThat(w.nanosUntilFits(ms(61_500), 1)).isEqualTo(ms(500));
    }

    @Test
    void shouldNotStartAfreshAtAMinuteBoundaryAsAFixedBucketWould() {
        // given the whole limit spent at the end of the first minute
        final SlidingLimit w = new SlidingLimit(3, MINUTE);
        w.add(ms(50_000), 1);
        w.add(ms(55_000), 1);
        w.add(ms(59_000), 1);

        // then a new minute brings no room: the calls are still within the last 60 s
        assertThat(w.fits(ms(60_000), 1)).isFalse();
        assertThat(w.fits(ms(109_999), 1)).isFalse();
        assertThat(w.nanosUntilFits(ms(61_000), 1)).isEqualTo(ms(49_000));
        // and room comes back one call at a time, as each leaves
        assertThat(w.remaining(ms(110_000))).isEqualTo(1);
        assertThat(w.remaining(ms(115_000))).isEqualTo(2);
        assertThat(w.remaining(ms(119_000))).isEqualTo(3);
    }

    @Test
    void shouldWeighCallsAgainstATokenLimit() {
        final SlidingLimit tokens = new SlidingLimit(100, MINUTE);
        tokens.add(ms(0), 60);

        assertThat(tokens.fits(ms(10_000), 41)).isFalse();
        assertThat(tokens.fits(ms(10_000), 40)).isTrue();
        assertThat(tokens.used(ms(10_000))).isEqualTo(60);
        assertThat(tokens.nanosUntilFits(ms(10_000), 41)).isEqualTo(ms(50_000));
        assertThat(tokens.nanosUntilFits(ms(10_000), 101)).as("more than the whole limit: the window").isEqualTo(MINUTE.toNanos());
        assertThat(tokens.fits(ms(60_000), 100)).isTrue();
    }

    @Test
    void shouldRefuseCallsOutOfTimeOrderAndWeightsBelowOne() {
        final SlidingLimit w = new SlidingLimit(10, MINUTE);
        w.add(ms(5_000), 1);

        assertThatThrownBy(() -> w.add(ms(4_999), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time order");
        assertThatThrownBy(() -> w.add(ms(6_000), 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight");
        assertThatThrownBy(() -> new SlidingLimit(0, MINUTE)).hasMessageContaining("limit must be at least 1");
    }

    @Test
    void shouldWorkAcrossNanoTimeWrappingAroundLongMaxValue() {
        final SlidingLimit w = new SlidingLimit(1, MINUTE);
        final long start = Long.MAX_VALUE - ms(10_000);
        w.add(start, 1);

        assertThat(w.fits(start + ms(59_999), 1)).isFalse();
        assertThat(w.fits(start + ms(60_000), 1)).as("start + 60 s has wrapped to a negative value").isTrue();
    }

    @Test
    void shouldAgreeWithCountingEveryAcceptedCallByHandOverALongRandomRun() {
        // a reference that keeps every accepted call and sums those with now - t < 60 s, call by call
        final SplittableRandom random = new SplittableRandom(7);
        final long limit = 2_000;
        final SlidingLimit w = new SlidingLimit(limit, MINUTE);
        final List<long[]> accepted = new ArrayList<>();
        long now = 0;
        int refusals = 0;
        for (int i = 0; i < 50_000; i++) {
            now += random.nextLong(0, ms(400)); // bursts and gaps: sometimes full, sometimes empty
            final long weight = random.nextLong(1, 20);
            long used = 0;
            for (int j = accepted.size() - 1; j >= 0 && now - accepted.get(j)[0] < MINUTE.toNanos(); j--) {
                used += accepted.get(j)[1];
            }
            assertThat(w.used(now)).as("call %d", i).isEqualTo(used);
            assertThat(w.fits(now, weight)).as("call %d", i).isEqualTo(used + weight <= limit);
            if (used + weight <= limit) {
                w.add(now, weight);
                accepted.add(new long[] {now, weight});
            } else {
                refusals++;
            }
        }
        assertThat(refusals).as("the run must reach the limit often for this to test anything").isGreaterThan(5_000);
        assertThat(accepted.size()).isGreaterThan(20_000);
    }
}
