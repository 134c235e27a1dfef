package dev.rebound.execute;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The arithmetic of {@code concurrency: auto}: where it starts, what cuts it, what grows it, its bounds and its rest at 1. */
class AdaptiveLimitTest {

    private static final Duration SLOW = Duration.ofSeconds(20);
    private static final long NORMAL = Duration.ofMillis(40).toNanos();

    private static CallOutcome ok() {
        return new CallOutcome.Success(200, null, Instant.EPOCH, 40);
    }

    private static CallOutcome failed(final ErrorCategory category) {
        return new CallOutcome.Failed(new Classification(category, null, "x", Optional.empty()), Instant.EPOCH, 1);
    }

    @Test
    void shouldStartAtTenOrAtMaxInFlightWhenThatIsLower() {
        assertThat(new AdaptiveLimit(64, SLOW).current()).isEqualTo(AdaptiveLimit.INITIAL).isEqualTo(10);
        assertThat(new AdaptiveLimit(4, SLOW).current()).isEqualTo(4);
        assertThatThrownBy(() -> new AdaptiveLimit(0, SLOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(names = {"TIMEOUT", "NETWORK", "SERVER_ERROR", "RATE_LIMITED", "TRANSIENT"})
    void shouldHalveOnEveryFailureThatSaysTheTargetIsInTroubleButNeverBelowOne(final ErrorCategory category) {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        final List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            limit.onCall(failed(category), NORMAL, 10);
            seen.add(limit.current());
        }
        assertThat(seen).containsExactly(5, 2, 1, 1, 1);
    }

    @ParameterizedTest
    @EnumSource(names = {"VALIDATION", "CONTEXT_TOO_LONG", "CONTENT_POLICY", "NOT_FOUND", "AUTHENTICATION", "QUOTA_EXHAUSTED",
            "CIRCUIT_OPEN", "UNKNOWN", "RESPONSE_TOO_LARGE"})
    void shouldLeaveTheLimitAloneWhenAFailureSaysNothingOfTheTargetsLoad(final ErrorCategory category) {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        assertThat(limit.onCall(failed(category), NORMAL, 10)).isZero();
        assertThat(limit.current()).isEqualTo(10);
    }

    @Test
    void shouldGrowByOneOnASuccessOnlyWhenAtLeastHalfTheLimitWasInFlight() {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        limit.onCall(ok(), NORMAL, 4);
        assertThat(limit.current()).as("a quiet target: no evidence, no growth").isEqualTo(10);
        limit.onCall(ok(), NORMAL, 5);
        assertThat(limit.current()).isEqualTo(11);
        limit.onCall(ok(), NORMAL, 11);
        assertThat(limit.current()).isEqualTo(12);
    }

    @Test
    void shouldNeverGrowAboveMaxInFlight() {
        final AdaptiveLimit limit = new AdaptiveLimit(12, SLOW);
        for (int i = 0; i < 100; i++) {
            limit.onCall(ok(), NORMAL, limit.current());
        }
        assertThat(limit.current()).isEqualTo(12);
    }

    @Test
    void shouldCutOnASuccessAsSlowAsTheCircuitsSlowCallWithoutResting() {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        limit.onCall(ok(), SLOW.toNanos() - 1, 10);
        assertThat(limit.current()).as("just under slowCall is normal, and used").isEqualTo(11);
        assertThat(limit.onCall(ok(), SLOW.toNanos(), 11)).isZero();
        assertThat(limit.current()).isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(limit.onCall(ok(), SLOW.toNanos(), 1)).as("slow is not down: no rest").isZero();
        }
        assertThat(limit.current()).isEqualTo(1);
    }

    @Test
    void shouldRestAPermitAfterAFailureAtOneDoublingWithEachFailedProbeUpToASecondUntilASuccess() {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        assertThat(limit.onCall(failed(ErrorCategory.NETWORK), NORMAL, 10)).as("above 1: hand it over at once").isZero();
        assertThat(limit.onCall(failed(ErrorCategory.NETWORK), NORMAL, 10)).isZero();
        assertThat(limit.onCall(failed(ErrorCategory.NETWORK), NORMAL, 10)).as("at 1: rest").isEqualTo(AdaptiveLimit.FIRST_REST);
        final List<Long> rests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rests.add(limit.onCall(failed(ErrorCategory.NETWORK), NORMAL, 1).toMillis());
        }
        assertThat(rests).as("each probe, alone in flight, that fails").containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
        assertThat(limit.onCall(ok(), NORMAL, 1)).isZero();
        assertThat(limit.current()).as("a success at 1, alone in flight, is a used limit").isEqualTo(2);
        assertThat(limit.onCall(failed(ErrorCategory.SERVER_ERROR), NORMAL, 2)).as("the streak ended with the success")
                .isEqualTo(AdaptiveLimit.FIRST_REST);
    }

    @Test
    void shouldNotLengthenTheRestForFailuresOfCallsThatWentOutTogether() {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW);
        final List<Duration> rests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rests.add(limit.onCall(failed(ErrorCategory.NETWORK), NORMAL, 10 - i));
        }
        assertThat(limit.current()).isEqualTo(1);
        assertThat(rests.subList(2, 9)).as("the burst's calls failing at 1: one event").containsOnly(AdaptiveLimit.FIRST_REST);
        assertThat(rests.get(9)).as("the last, alone in flight, is a failed probe").isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldComeBackDownAfterAQuietSecondButNotWhileItsCallsRunLong() {
        final long[] now = {0};
        final AdaptiveLimit limit = grownTo50(now);
        // long calls: 30 in flight whenever a permit is asked for, for seconds
        for (int s = 0; s < 3; s++) {
            now[0] += AdaptiveLimit.DECAY_PERIOD.toNanos();
            assertThat(limit.current(30)).as("used: kept").isEqualTo(50);
        }
        // then quiet: three in flight at most, for less than a period, then for a whole one
        now[0] += AdaptiveLimit.DECAY_PERIOD.toNanos() / 2;
        assertThat(limit.current(3)).as("not quiet for long enough yet").isEqualTo(50);
        now[0] += AdaptiveLimit.DECAY_PERIOD.toNanos() / 2;
        assertThat(limit.current(0)).as("twice what was used since, not below where it started").isEqualTo(AdaptiveLimit.INITIAL);
        now[0] += AdaptiveLimit.DECAY_PERIOD.toNanos();
        assertThat(limit.current(0)).isEqualTo(AdaptiveLimit.INITIAL);
    }

    @Test
    void shouldMeetABurstAfterAQuietSpellAtTheStartingLimitWhereverTheLastBurstTailedOff() {
        final long[] now = {0};
        final AdaptiveLimit limit = grownTo50(now);
        // the burst's calls end one by one, each end asking whether a waiting call may start: in
        // flight passes just under half the limit on its way down to none
        for (int inFlight = 24; inFlight >= 0; inFlight--) {
            now[0] += Duration.ofMillis(2).toNanos();
            limit.current(inFlight);
        }
        // quiet for two seconds, nobody asking; then the next burst, at a target that died meanwhile
        now[0] += Duration.ofSeconds(2).toNanos();
        assertThat(limit.current(0)).as("the tail of the last burst is no evidence for this one").isEqualTo(AdaptiveLimit.INITIAL);
    }

    @Test
    void shouldKeepTwiceWhatASteadyLoadUsesWithinEachPeriod() {
        final long[] now = {0};
        final AdaptiveLimit limit = grownTo50(now);
        // 12 in flight whenever a permit is asked for, every 100 ms: under half of 50, used all the same
        for (int k = 1; k <= 30; k++) {
            now[0] += Duration.ofMillis(100).toNanos();
            limit.current(12);
        }
        assertThat(limit.current()).as("twice the steady load, period after period").isEqualTo(24);
    }

    /** A limit on {@code now}'s clock, grown from 10 to 50 by 40 successes with the limit in flight. */
    private static AdaptiveLimit grownTo50(final long[] now) {
        final AdaptiveLimit limit = new AdaptiveLimit(64, SLOW, () -> now[0]);
        for (int i = 0; i < 40; i++) {
            limit.onCall(ok(), NORMAL, limit.current(limit.current()));
        }
        assertThat(limit.current()).as("grown under load").isEqualTo(50);
        return limit;
    }
}
