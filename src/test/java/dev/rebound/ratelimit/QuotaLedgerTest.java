package dev.rebound.ratelimit;

import dev.rebound.config.RateLimitPolicy;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The owner's arithmetic, round by round, on an injected clock. */
class QuotaLedgerTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    private static Demand wants(final String task, final long normal, final long tokens, final int inFlight, final long seenSeq,
                                final long seenRequests, final long settle) {
        return new Demand(task, new long[] {0, normal, 0}, new long[] {0, tokens, 0}, null, inFlight, seenSeq, seenRequests, 0, settle, null);
    }

    private static ProviderWord word(final Long remainingRequests, final Instant reset, final Instant pause) {
        return new ProviderWord(remainingRequests == null ? OptionalLong.empty() : OptionalLong.of(remainingRequests), OptionalLong.empty(),
                Optional.ofNullable(reset), Optional.empty(), Optional.ofNullable(pause), OptionalLong.empty(), OptionalLong.empty());
    }

    private static long granted(final QuotaLedger.Round r, final String task) {
        return r.grants().stream().filter(g -> g.task().equals(task)).mapToLong(QuotaLedger.Grant::requests).max().orElse(-1);
    }

    @Test
    void shouldGrantASecondsWorthAtOnceThenPaceTheRest() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(620, 0, 0, false); // 10 a second over 62 s
        l.heard(wants("a", 1_000, 0, 0, 0, 0, 0), T0);
        assertThat(granted(l.round(p, T0), "a")).as("the burst: a second's worth").isEqualTo(10);
        l.heard(wants("a", 1_000, 0, 0, 1, 10, 0), T0.plusMillis(100));
        assertThat(granted(l.round(p, T0.plusMillis(100)), "a")).as("then one per 100 ms").isEqualTo(11);
    }

    @Test
    void shouldNotGrantAgainWhatATaskHasNotSeenYet() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(6_000, 0, 0, false);
        l.heard(wants("a", 3, 0, 0, 0, 0, 0), T0);
        assertThat(granted(l.round(p, T0), "a")).isEqualTo(3);
        // the task has not seen the grant yet and still says 3 wait: nothing more for it
        l.heard(wants("a", 3, 0, 0, 0, 0, 0), T0.plusMillis(100));
        assertThat(l.round(p, T0.plusMillis(100)).grants()).isEmpty();
        // it saw them and two more came
        l.heard(wants("a", 2, 0, 0, 1, 3, 0), T0.plusMillis(200));
        assertThat(granted(l.round(p, T0.plusMillis(200)), "a")).isEqualTo(5);
    }

    @Test
    void shouldReserveTokensPerRequestAndTakeBackWhatTheSettlementSays() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(0, 6_200, 0, false); // 100 tokens a second
        l.heard(wants("a", 10, 10 * 40, 0, 0, 0, 0), T0);
        final QuotaLedger.Round r = l.round(p, T0);
        assertThat(granted(r, "a")).as("100 tokens at 40 a request: two requests").isEqualTo(2);
        assertThat(r.grants().get(0).tokens()).isEqualTo(80);
        // the two calls used 10 tokens each: 60 come back at once
        l.heard(wants("a", 8, 8 * 40, 0, 1, 2, -60), T0.plusMillis(10));
        assertThat(granted(l.round(p, T0.plusMillis(10)), "a")).as("20 left + 60 settled + 1 refilled: two more").isEqualTo(4);
    }

    @Test
    void shouldLetAProviderThatHasLittleLeftCapTheGrantsUntilItsReset() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(60_000, 0, 0, false);
        final Demand d = new Demand("a", new long[] {0, 500, 0}, null, null, 0, 0, 0, 0, 0, word(3L, T0.plusSeconds(2), null));
        l.heard(d, T0);
        assertThat(granted(l.round(p, T0), "a")).as("the provider has 3 left").isEqualTo(3);
        l.heard(wants("a", 497, 0, 0, 1, 3, 0), T0.plusMillis(500));
        assertThat(l.round(p, T0.plusMillis(500)).grants()).as("none left until the reset").isEmpty();
        l.heard(wants("a", 497, 0, 0, 1, 3, 0), T0.plusMillis(2_100));
        assertThat(granted(l.round(p, T0.plusMillis(2_100)), "a")).as("after the reset, the own limit again").isGreaterThan(3);
    }

    @Test
    void shouldStartANewEpochAndGrantNothingDuringAPause() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(6_000, 0, 0, false);
        l.heard(wants("a", 500, 0, 0, 0, 0, 0), T0);
        final long epoch = l.round(p, T0).epoch();
        l.heard(new Demand("a", new long[] {0, 500, 0}, null, null, 0, 1, 100, 0, 0, word(null, null, T0.plusSeconds(3))), T0.plusMillis(50));
        final QuotaLedger.Round paused = l.round(p, T0.plusMillis(100));
        assertThat(paused.epoch()).isGreaterThan(epoch);
        assertThat(paused.pausedUntil()).isEqualTo(T0.plusSeconds(3));
        assertThat(paused.grants()).isEmpty();
        assertThat(l.round(p, T0.plusMillis(3_100)).grants()).as("after the pause").isNotEmpty();
    }

    @Test
    void shouldRaiseAnAllowanceOnlyOutOfWhatNoTaskMayStillBeRunning() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(0, 0, 10, false);
        l.heard(wants("a", 100, 0, 0, 0, 0, 0), T0);
        final QuotaLedger.Round first = l.round(p, T0);
        assertThat(first.grants()).extracting(QuotaLedger.Grant::allowance).containsExactly(10);
        // b comes: a's allowance is halved at once, but b gets nothing until a says it saw that and runs 5 or fewer
        l.heard(wants("a", 100, 0, 10, first.seq(), 0, 0), T0.plusMillis(100));
        l.heard(wants("b", 100, 0, 0, 0, 0, 0), T0.plusMillis(100));
        final QuotaLedger.Round split = l.round(p, T0.plusMillis(100));
        final Map<String, Integer> allowances = new LinkedHashMap<>();
        split.grants().forEach(g -> allowances.put(g.task(), g.allowance()));
        assertThat(allowances).containsEntry("a", 5).doesNotContainKey("b");
        l.heard(wants("a", 100, 0, 5, split.seq(), 0, 0), T0.plusMillis(200));
        final QuotaLedger.Round after = l.round(p, T0.plusMillis(200));
        assertThat(after.grants()).extracting(QuotaLedger.Grant::task, QuotaLedger.Grant::allowance).containsExactly(
                org.assertj.core.groups.Tuple.tuple("b", 5));
    }

    @Test
    void shouldComeBackFromItsStoreAsItWasAndGoOnTheSame() {
        final QuotaLedger l = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(600, 6_000, 4, false);
        l.heard(new Demand("a", new long[] {1, 2, 3}, new long[] {10, 20, 30}, new long[] {10, 10, 10}, 1, 0, 0, 0, 5, word(50L, T0.plusSeconds(30), null)), T0);
        l.round(p, T0);
        final QuotaLedger copy = Json.read(Json.bytes(l), QuotaLedger.class);
        assertThat(Json.text(copy)).isEqualTo(Json.text(l));
        l.heard(wants("a", 40, 400, 1, 1, 6, 0), T0.plusMillis(700));
        copy.heard(wants("a", 40, 400, 1, 1, 6, 0), T0.plusMillis(700));
        assertThat(copy.round(p, T0.plusMillis(700))).isEqualTo(l.round(p, T0.plusMillis(700)));
    }

    @Test
    void shouldShareMaxMinFairly() {
        final Map<String, Long> wants = new LinkedHashMap<>();
        wants.put("a", 2L);
        wants.put("b", 50L);
        wants.put("c", 50L);
        wants.put("d", 0L);
        assertThat(FairShare.of(wants, 21)).containsExactly(Map.entry("a", 2), Map.entry("b", 10), Map.entry("c", 9), Map.entry("d", 0));
        assertThat(FairShare.of(wants, 1_000)).containsEntry("b", 50).containsEntry("c", 50);
        assertThat(FairShare.of(wants, 0).values()).containsOnly(0);
    }
}
