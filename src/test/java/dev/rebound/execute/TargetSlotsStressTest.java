package dev.rebound.execute;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many tasks' dispatchers sharing one target's permits while calls end on other threads, in any
 * order, as HTTP callbacks do: every attempt is called once and ends once, at the task that
 * submitted it, never more calls run at once than there are permits, and every permit comes back;
 * also when an adaptive limit moves under the calls, retiring permits and resting them.
 */
class TargetSlotsStressTest {

    private static final int PERMITS = 4;
    private static final int TASKS = 6;
    private static final int PER_TASK = 2_000;

    @Test
    void shouldCallEveryAttemptOnceWithinThePermitsAndGiveEveryPermitBack() throws Exception {
        final TargetSlots slots = new TargetSlots(PERMITS);
        final Run run = run(slots, () -> OK);
        assertThat(run.mostAtOnce()).as("never more calls at once than permits").isLessThanOrEqualTo(PERMITS);
        assertThat(slots.available()).as("every permit back").isEqualTo(PERMITS);
        assertThat(slots.inFlight()).isZero();
    }

    @Test
    void shouldGiveEveryPermitBackWhileAnAdaptiveLimitCutsRetiresRestsAndGrows() throws Exception {
        final int max = 8;
        final TargetSlots slots = new TargetSlots(max, new AdaptiveLimit(max, Duration.ofSeconds(20)));
        // one call in six refused: the limit halves, climbs back, now and then rests at 1
        final Run run = run(slots, () -> ThreadLocalRandom.current().nextInt(6) == 0 ? REFUSED : OK);
        assertThat(run.mostAtOnce()).as("never more calls at once than maxInFlight").isLessThanOrEqualTo(max);
        assertThat(run.cuts()).as("the limit was cut").isPositive();
        assertThat(run.rises()).as("and grew back").isPositive();
        assertThat(run.lowestLimit()).as("down to 1, where refused calls rest their permits").isEqualTo(1);
        assertThat(slots.inFlight()).as("every permit back, none retired twice").isZero();
        assertThat(slots.available()).isEqualTo(slots.limit());
    }

    private static final CallOutcome OK = new CallOutcome.Success(200, null, Instant.EPOCH, 0);
    private static final CallOutcome REFUSED = new CallOutcome.Failed(
            new Classification(ErrorCategory.NETWORK, null, "refused", Optional.empty()), Instant.EPOCH, 0);

    /** What a run saw: the most calls at once, the lowest limit a call started under, how often the limit fell and rose. */
    private record Run(int mostAtOnce, int lowestLimit, int cuts, int rises) {
    }

    private static Run run(final TargetSlots slots, final Supplier<CallOutcome> outcomes) throws Exception {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger lowestLimit = new AtomicInteger(Integer.MAX_VALUE);
        final AtomicInteger lastLimit = new AtomicInteger(slots.limit());
        final AtomicInteger cuts = new AtomicInteger();
        final AtomicInteger rises = new AtomicInteger();
        final Set<String> called = ConcurrentHashMap.newKeySet();
        final AtomicInteger calledTwice = new AtomicInteger();
        final ExecutorService callbacks = Executors.newFixedThreadPool(4);
        final TargetExecutor executor = spec -> {
            if (!called.add(spec.requestId())) {
                calledTwice.incrementAndGet();
            }
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            final int limit = slots.limit();
            lowestLimit.accumulateAndGet(limit, Math::min);
            final int last = lastLimit.getAndSet(limit);
            if (limit < last) {
                cuts.incrementAndGet();
            } else if (limit > last) {
                rises.incrementAndGet();
            }
            final CompletableFuture<CallOutcome> f = new CompletableFuture<>();
            // a call ends on another thread, a little later, sometimes at once
            callbacks.execute(() -> {
                if (ThreadLocalRandom.current().nextInt(4) > 0) {
                    Thread.onSpinWait();
                }
                running.decrementAndGet();
                f.complete(outcomes.get());
            });
            return f;
        };
        final List<CallDispatcher> tasks = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            tasks.add(new CallDispatcher(target -> executor, target -> slots));
        }
        // each task's stream thread submits its attempts, and drains and starts waiting ones now and then
        final ExecutorService streamThreads = Executors.newFixedThreadPool(TASKS);
        final List<List<String>> ended = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            ended.add(new ArrayList<>());
        }
        final List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            final int task = t;
            done.add(streamThreads.submit(() -> {
                final CallDispatcher d = tasks.get(task);
                for (int i = 0; i < PER_TASK; i++) {
                    d.submit(new CallSpec("t" + task + "-" + i, "llm", 1, "{}".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1)));
                    if (i % 97 == 0) {
                        d.drain(c -> ended.get(task).add(c.spec().requestId()), Integer.MAX_VALUE);
                        d.startWaiting();
                    }
                }
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (ended.get(task).size() < PER_TASK && System.nanoTime() < until) {
                    d.drain(c -> ended.get(task).add(c.spec().requestId()), Integer.MAX_VALUE);
                    d.startWaiting();
                    Thread.onSpinWait();
                }
            }));
        }
        for (final Future<?> f : done) {
            f.get(90, TimeUnit.SECONDS);
        }
        streamThreads.shutdown();
        callbacks.shutdown();
        assertThat(callbacks.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(calledTwice.get()).as("no attempt called twice").isZero();
        assertThat(called).hasSize(TASKS * PER_TASK);
        for (int t = 0; t < TASKS; t++) {
            final Set<String> own = new HashSet<>(ended.get(t));
            assertThat(ended.get(t)).as("task %d's outcomes, each once", t).hasSize(PER_TASK).doesNotHaveDuplicates();
            final String prefix = "t" + t + "-";
            assertThat(own).as("only its own outcomes").allMatch(id -> id.startsWith(prefix));
            assertThat(tasks.get(t).waiting()).isZero();
        }
        return new Run(mostAtOnce.get(), lowestLimit.get(), cuts.get(), rises.get());
    }
}
