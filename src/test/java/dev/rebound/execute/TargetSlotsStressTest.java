package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many tasks' dispatchers sharing one target's permits while calls end on other threads, in any
 * order, as HTTP callbacks do: every attempt is called once and ends once, at the task that
 * submitted it, never more calls run at once than there are permits, and every permit comes back.
 */
class TargetSlotsStressTest {

    private static final int PERMITS = 4;
    private static final int TASKS = 6;
    private static final int PER_TASK = 2_000;

    @Test
    void shouldCallEveryAttemptOnceWithinThePermitsAndGiveEveryPermitBack() throws Exception {
        final TargetSlots slots = new TargetSlots(PERMITS);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final Set<String> called = ConcurrentHashMap.newKeySet();
        final AtomicInteger calledTwice = new AtomicInteger();
        final ExecutorService callbacks = Executors.newFixedThreadPool(4);
        final TargetExecutor executor = spec -> {
            if (!called.add(spec.requestId())) {
                calledTwice.incrementAndGet();
            }
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            final CompletableFuture<CallOutcome> f = new CompletableFuture<>();
            // a call ends on another thread, a little later, sometimes at once
            callbacks.execute(() -> {
                if (ThreadLocalRandom.current().nextInt(4) > 0) {
                    Thread.onSpinWait();
                }
                running.decrementAndGet();
                f.complete(new CallOutcome.Success(200, null, Instant.EPOCH, 0));
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
        assertThat(mostAtOnce.get()).as("never more calls at once than permits").isLessThanOrEqualTo(PERMITS);
        for (int t = 0; t < TASKS; t++) {
            final Set<String> own = new HashSet<>(ended.get(t));
            assertThat(ended.get(t)).as("task %d's outcomes, each once", t).hasSize(PER_TASK).doesNotHaveDuplicates();
            final String prefix = "t" + t + "-";
            assertThat(own).as("only its own outcomes").allMatch(id -> id.startsWith(prefix));
            assertThat(tasks.get(t).waiting()).isZero();
        }
        assertThat(slots.available()).as("every permit back").isEqualTo(PERMITS);
        assertThat(slots.inFlight()).isZero();
    }
}
