package dev.rebound.ratelimit;

import dev.rebound.config.RateLimitPolicy;
import dev.rebound.request.Priority;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The owner's ledger and the tasks' quotas together, as a cluster would run them: six tasks that
 * always have requests waiting, an owner that grants every 100 ms, demands and grant records
 * delivered late and unevenly (as the outcomes topic and the global store deliver them), on a
 * simulated clock. What a provider would see is checked, not the arithmetic.
 */
class QuotaClusterTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final int TASKS = 6;

    /** A simulated cluster: events at times, in order. */
    private static final class Cluster {
        final RateLimitPolicy policy;
        final QuotaLedger ledger = new QuotaLedger();
        final Map<String, TaskQuota> quotas = new HashMap<>();
        final Map<String, QuotaRecord> mine = new HashMap<>(); // what each task's global store holds
        QuotaRecord summary;
        final PriorityQueue<Object[]> events = new PriorityQueue<>((a, b) -> ((Instant) a[0]).compareTo((Instant) b[0]));
        final SplittableRandom random = new SplittableRandom(7);
        final List<Instant> calls = new ArrayList<>();
        final Map<String, Deque<Map.Entry<String, Instant>>> running = new HashMap<>();
        final List<Integer> priorities = new ArrayList<>();
        final Map<String, long[]> waiting = new HashMap<>();
        int maxInFlightTogether;
        long seq;
        Instant now = T0;

        Cluster(final RateLimitPolicy policy) {
            this.policy = policy;
            for (int t = 0; t < TASKS; t++) {
                final String task = "0_" + t;
                quotas.put(task, new TaskQuota(policy));
                running.put(task, new ArrayDeque<>());
                waiting.put(task, new long[] {0, 1_000_000, 0});
            }
        }

        void at(final Instant when, final Consumer<Instant> what) {
            events.add(new Object[] {when, seq++, what});
        }

        @SuppressWarnings("unchecked")
        void run(final Duration length, final Duration callTakes) {
            final Instant end = T0.plus(length);
            for (Instant t = T0; t.isBefore(end); t = t.plusMillis(100)) {
                at(t, this::ownerRound);
            }
            for (Instant t = T0; t.isBefore(end); t = t.plusMillis(5)) {
                final Instant tick = t;
                for (final String task : quotas.keySet()) {
                    at(tick, n -> taskTick(task, n, callTakes));
                }
            }
            while (!events.isEmpty()) {
                final Object[] e = events.poll();
                now = (Instant) e[0];
                ((Consumer<Instant>) e[2]).accept(now);
            }
        }

        void ownerRound(final Instant n) {
            final QuotaLedger.Round round = ledger.round(policy, n);
            for (final QuotaLedger.Grant g : round.grants()) {
                final QuotaRecord r = new QuotaRecord("t", g.task(), round.seq(), round.epoch(), g.requests(), g.tokens(), g.allowance(), null,
                        null);
                // the global store of the task's instance gets it 20..250 ms later, in order per key
                at(n.plusMillis(20 + random.nextInt(230)), x -> {
                    final QuotaRecord old = mine.get(g.task());
                    if (old == null || old.seq() < r.seq()) {
                        mine.put(g.task(), r);
                    }
                });
            }
            final QuotaRecord s = new QuotaRecord("t", null, round.seq(), round.epoch(), 0, 0, 0, round.pausedUntil(), null);
            at(n.plusMillis(20), x -> summary = s);
        }

        void taskTick(final String task, final Instant n, final Duration callTakes) {
            final TaskQuota q = quotas.get(task);
            final Deque<Map.Entry<String, Instant>> r = running.get(task);
            while (!r.isEmpty() && !r.peekFirst().getValue().isAfter(n)) {
                q.ended(r.pollFirst().getKey(), OptionalLong.empty(), true);
            }
            q.update(mine.get(task), summary, n);
            final long[] w = waiting.get(task);
            while (w[0] + w[1] + w[2] > 0 && q.mayStart(10, n)) {
                final int pr = w[0] > 0 ? 0 : w[1] > 0 ? 1 : 2;
                w[pr]--;
                final String id = task + "-" + calls.size();
                q.start(id, 10, n);
                calls.add(n);
                priorities.add(pr);
                r.addLast(Map.entry(id, n.plus(callTakes)));
            }
            maxInFlightTogether = Math.max(maxInFlightTogether, quotas.values().stream().mapToInt(TaskQuota::inFlight).sum());
            final Demand d = q.demand(task, w, new long[] {w[0] * 10, w[1] * 10, w[2] * 10}, new long[] {10, 10, 10}, n);
            if (d != null) {
                at(n.plusMillis(20 + random.nextInt(130)), x -> ledger.heard(d, x));
            }
        }

        /** The most calls started within any 60 s. */
        int maxPerMinute() {
            int max = 0;
            int from = 0;
            for (int i = 0; i < calls.size(); i++) {
                while (!calls.get(from).plusSeconds(60).isAfter(calls.get(i))) {
                    from++;
                }
                max = Math.max(max, i - from + 1);
            }
            return max;
        }
    }

    @Test
    void shouldNeverStartMoreThanTheLimitInAnyMinuteAcrossSixTasksAndStillUseMostOfIt() {
        final Cluster c = new Cluster(new RateLimitPolicy(600, 0, 0, false));
        c.run(Duration.ofMinutes(4), Duration.ofMillis(50));
        assertThat(c.maxPerMinute()).as("calls in the busiest 60 s").isLessThanOrEqualTo(600);
        final long inLastThree = c.calls.stream().filter(t -> !t.isBefore(T0.plusSeconds(60))).count();
        assertThat(inLastThree / 3.0).as("calls per minute, steady state").isGreaterThanOrEqualTo(570);
        // smooth: no second holds much more than a second's worth
        final Map<Long, Integer> perSecond = new HashMap<>();
        c.calls.forEach(t -> perSecond.merge(t.getEpochSecond(), 1, Integer::sum));
        assertThat(perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0)).as("busiest second").isLessThanOrEqualTo(25);
    }

    @Test
    void shouldKeepCallsInFlightAcrossTheClusterWithinTheConcurrencyLimit() {
        final Cluster c = new Cluster(new RateLimitPolicy(0, 0, 10, false));
        c.run(Duration.ofSeconds(30), Duration.ofMillis(50));
        assertThat(c.maxInFlightTogether).as("calls in flight, all tasks together").isLessThanOrEqualTo(10);
        assertThat(c.calls.size()).as("the limit is used: 10 at a time for 50 ms calls is up to 6000 in 30 s").isGreaterThan(1500);
    }

    @Test
    void shouldServeEveryHighRequestBeforeAnyLowOneAcrossTasks() {
        final Cluster c = new Cluster(new RateLimitPolicy(600, 0, 0, false));
        // half the tasks wait with low requests only, the other half with a few high ones each, then low ones
        int i = 0;
        for (final long[] w : c.waiting.values()) {
            w[0] = i % 2 == 0 ? 20 : 0;
            w[1] = 0;
            w[2] = 1_000;
            i++;
        }
        c.run(Duration.ofSeconds(20), Duration.ofMillis(50));
        assertThat(c.waiting.values().stream().mapToLong(w -> w[0]).sum()).as("every high request served").isZero();
        final int lastHigh = c.priorities.lastIndexOf(0);
        final long lowBefore = c.priorities.subList(0, lastHigh).stream().filter(p -> p == 2).count();
        // only grants made before the owner had heard of the high ones may go to low ones: the first round or two
        assertThat(lowBefore).as("low calls started while high requests still waited").isLessThanOrEqualTo(3);
        assertThat(lastHigh).as("three tasks with 20 high requests each: all 60 started").isGreaterThanOrEqualTo(59);
    }

    @Test
    void shouldStopEveryTaskAtOnceWhenTheProviderAsksForAPauseAndDropWhatTheyHold() {
        final Cluster c = new Cluster(new RateLimitPolicy(6_000, 0, 0, false));
        final Instant pauseAt = T0.plusSeconds(10);
        final Instant pauseUntil = pauseAt.plusSeconds(5);
        c.at(pauseAt, n -> c.ledger.heard(new Demand("0_0", null, null, null, 0, 0, 0, 0, 0,
                new ProviderWord(OptionalLong.empty(), OptionalLong.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of(pauseUntil), OptionalLong.empty(), OptionalLong.empty())), n));
        c.run(Duration.ofSeconds(20), Duration.ofMillis(50));
        // the pause reaches tasks through the summary (20 ms later); nothing starts inside it after that
        final long during = c.calls.stream().filter(t -> t.isAfter(pauseAt.plusMillis(40)) && t.isBefore(pauseUntil)).count();
        assertThat(during).as("calls started during the provider's pause").isZero();
        assertThat(c.calls.stream().filter(t -> t.isAfter(pauseUntil)).count()).as("calls resume after it").isGreaterThan(100);
    }

    @Test
    void shouldNotSpendAgainTheGrantsARestartedTaskFindsInItsStore() {
        final TaskQuota q = new TaskQuota(new RateLimitPolicy(600, 0, 0, false));
        final QuotaRecord old = new QuotaRecord("t", "0_1", 41, 0, 50, 0, 0, null, null);
        q.update(old, null, T0);
        assertThat(q.mayStart(0, T0)).as("grants found at start were its previous incarnation's").isFalse();
        q.update(new QuotaRecord("t", "0_1", 42, 0, 52, 0, 0, null, null), null, T0.plusMillis(100));
        assertThat(q.held(T0.plusMillis(100))).isEqualTo(2);
        assertThat(q.held(T0.plusMillis(100).plus(QuotaLedger.GRANT_LIFE))).as("a grant lapses after its life").isZero();
        assertThat(Priority.values()).hasSize(3);
    }

    @Test
    void shouldTellTheOwnerWhenItsCallsEndEvenWithNothingWaitingSoThatAConcurrencyLimitIsLentOnAgain() {
        final TaskQuota q = new TaskQuota(new RateLimitPolicy(0, 0, 4, false));
        q.update(new QuotaRecord("t", "0_1", 1, 0, 0, 0, 4, null, null), null, T0);
        for (int i = 0; i < 4; i++) {
            q.start("c" + i, 0, T0);
        }
        assertThat(q.demand("0_1", new long[3], new long[3], new long[3], T0)).as("four calls start: news").isNotNull();
        for (int i = 0; i < 4; i++) {
            q.ended("c" + i, OptionalLong.empty(), true);
        }
        final Demand d = q.demand("0_1", new long[3], new long[3], new long[3], T0.plusSeconds(1));
        assertThat(d).as("nothing waits, but the calls ended: the owner must hear it").isNotNull();
        assertThat(d.inFlight()).isZero();
        assertThat(q.demand("0_1", new long[3], new long[3], new long[3], T0.plusSeconds(2))).as("and then quiet").isNull();
        // a lower allowance published: the task says it saw it, even with nothing else to say
        q.update(new QuotaRecord("t", "0_1", 2, 0, 0, 0, 0, null, null), null, T0.plusSeconds(3));
        final Demand ack = q.demand("0_1", new long[3], new long[3], new long[3], T0.plusSeconds(3));
        assertThat(ack).isNotNull();
        assertThat(ack.seenSeq()).isEqualTo(2);

        // the owner: lowers the first task's allowance at once, lends it to the other only after the ack
        final QuotaLedger ledger = new QuotaLedger();
        final RateLimitPolicy p = new RateLimitPolicy(0, 0, 4, false);
        ledger.heard(new Demand("0_1", new long[] {0, 4, 0}, null, null, 0, 0, 0, 0, 0, null), T0);
        final long first = ledger.round(p, T0).seq();
        ledger.heard(new Demand("0_1", null, null, null, 0, first, 0, 0, 0, null), T0.plusMillis(100));
        ledger.heard(new Demand("0_2", new long[] {0, 9, 0}, null, null, 0, 0, 0, 0, 0, null), T0.plusMillis(100));
        final QuotaLedger.Round lowered = ledger.round(p, T0.plusMillis(100));
        assertThat(lowered.grants()).extracting(QuotaLedger.Grant::task, QuotaLedger.Grant::allowance)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0_1", 0));
        ledger.heard(new Demand("0_1", null, null, null, 0, lowered.seq(), 0, 0, 0, null), T0.plusMillis(200));
        assertThat(ledger.round(p, T0.plusMillis(200)).grants()).extracting(QuotaLedger.Grant::task, QuotaLedger.Grant::allowance)
                .as("the other task gets the whole limit once the first said it saw its allowance go")
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0_2", 4));
    }
}
