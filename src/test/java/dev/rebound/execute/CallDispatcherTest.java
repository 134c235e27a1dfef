package dev.rebound.execute;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatcher: bounded lines, the hand-over of a finished call's slot, cancellation. */
class CallDispatcherTest {

    private final List<CallSpec> started = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<CallOutcome>> futures = new ConcurrentHashMap<>();
    private final TargetSlots slots = new TargetSlots(1);

    private CallDispatcher dispatcher(final boolean instantAfterFirst) {
        return new CallDispatcher(target -> spec -> {
            started.add(spec);
            if (instantAfterFirst && started.size() > 1) {
                return CompletableFuture.completedFuture(ok());
            }
            final CompletableFuture<CallOutcome> f = new CompletableFuture<>();
            futures.put(spec.requestId(), f);
            return f;
        }, target -> slots);
    }

    private static CallOutcome ok() {
        return new CallOutcome.Success(200, null, Instant.EPOCH, 1);
    }

    private static CallSpec spec(final String id) {
        return new CallSpec(id, "t", 1, "{}".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
    }

    @Test
    void shouldHandAFinishedCallsSlotToTheNextWaitingAttemptFromTheCallbackItself() throws Exception {
        final CallDispatcher d = dispatcher(false);
        d.submit(spec("a"));
        d.submit(spec("b"));
        assertThat(started).extracting(CallSpec::requestId).containsExactly("a");
        final Thread http = new Thread(() -> futures.get("a").complete(ok()));
        http.start();
        http.join();
        // no drain, no startWaiting: the stream thread did nothing
        assertThat(started).extracting(CallSpec::requestId).containsExactly("a", "b");
        assertThat(slots.available()).as("the permit went from a to b").isZero();
        futures.get("b").complete(ok());
        assertThat(slots.available()).as("nobody waits: the permit goes back").isEqualTo(1);
        final List<String> done = new ArrayList<>();
        d.drain(c -> done.add(c.spec().requestId()), 10);
        assertThat(done).containsExactly("a", "b");
    }

    @Test
    void shouldWorkOffALongLineOfInstantCallsWithoutDeepeningTheStack() {
        final CallDispatcher d = dispatcher(true);
        d.submit(spec("first"));
        final int n = 20_000;
        for (int i = 0; i < n; i++) {
            d.submit(spec("q" + i));
        }
        assertThat(d.waiting()).isEqualTo(n);
        futures.get("first").complete(ok());
        // no other task waits for the target: the callback's permit works off the whole line in one loop
        assertThat(started).hasSize(n + 1);
        assertThat(d.waiting()).isZero();
        assertThat(slots.available()).isEqualTo(1);
        assertThat(d.drain(c -> { }, 2 * n)).isEqualTo(n + 1);
    }

    @Test
    void shouldHandAPermitToAnotherTasksLineInTurnSoEveryTaskGetsSlotsWithoutTheStreamThread() {
        final CallDispatcher a = dispatcher(true);
        final CallDispatcher b = dispatcher(true);
        a.submit(spec("first"));
        for (int i = 0; i < 40; i++) {
            a.submit(spec("a" + i));
        }
        for (int i = 0; i < 5; i++) {
            b.submit(spec("b" + i));
        }
        futures.get("first").complete(ok());
        final List<String> order = started.stream().map(CallSpec::requestId).toList();
        final List<String> expected = new ArrayList<>(List.of("first"));
        for (int i = 0; i < CallDispatcher.MAX_HAND_OVERS; i++) {
            expected.add("a" + i);
        }
        for (int i = 0; i < 5; i++) {
            expected.add("b" + i);
        }
        for (int i = CallDispatcher.MAX_HAND_OVERS; i < 40; i++) {
            expected.add("a" + i);
        }
        assertThat(order).as("a's line, then b's turn, then a's again, all from the one callback").isEqualTo(expected);
        assertThat(slots.available()).isEqualTo(1);
        final List<String> doneA = new ArrayList<>();
        final List<String> doneB = new ArrayList<>();
        a.drain(c -> doneA.add(c.spec().requestId()), 100);
        b.drain(c -> doneB.add(c.spec().requestId()), 100);
        assertThat(doneA).hasSize(41);
        assertThat(doneB).as("each outcome goes to the task that submitted it").containsExactly("b0", "b1", "b2", "b3", "b4");
    }

    @Test
    void shouldLeaveAClosedTasksLineOutOfTheHandOver() {
        final CallDispatcher a = dispatcher(false);
        final CallDispatcher b = dispatcher(false);
        a.submit(spec("running"));
        b.submit(spec("queued"));
        b.close();
        futures.get("running").complete(ok());
        assertThat(started).extracting(CallSpec::requestId).containsExactly("running");
        assertThat(slots.available()).as("nobody open waits: the permit goes back").isEqualTo(1);
    }

    @Test
    void shouldSayThereIsNoRoomWhenTheLineIsFull() {
        final CallDispatcher d = dispatcher(false);
        assertThat(d.hasRoom("t")).isTrue();
        d.submit(spec("running"));
        for (int i = 0; i < CallDispatcher.MAX_WAITING_PER_TARGET; i++) {
            assertThat(d.hasRoom("t")).isTrue();
            d.submit(spec("w" + i));
        }
        assertThat(d.hasRoom("t")).isFalse();
        assertThat(d.hasRoom("other")).as("another target's line is its own").isTrue();
    }

    @Test
    void shouldDropTheOutcomeOfACancelledCallButKeepItsSlotUntilItEnds() {
        final CallDispatcher d = dispatcher(false);
        d.submit(spec("a"));
        d.submit(spec("queued"));
        d.cancel("a");
        d.cancel("queued");
        assertThat(d.waiting()).isZero();
        assertThat(slots.available()).as("a's call still runs").isZero();
        futures.get("a").complete(ok());
        assertThat(slots.available()).isEqualTo(1);
        assertThat(started).extracting(CallSpec::requestId).containsExactly("a");
        final List<String> handled = new ArrayList<>();
        d.drain(c -> handled.add(c.spec().requestId()), 10);
        assertThat(handled).isEmpty();
    }

    @Test
    void shouldEndAnAttemptWhoseDeadlinePassedInLineWithoutCallingIt() throws Exception {
        final CallDispatcher d = dispatcher(false);
        d.submit(spec("a"));
        d.submit(new CallSpec("late", "t", 1, "{}".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(1)));
        Thread.sleep(20);
        futures.get("a").complete(ok());
        assertThat(started).extracting(CallSpec::requestId).containsExactly("a");
        final List<Completion> done = new ArrayList<>();
        d.drain(done::add, 10);
        assertThat(done).extracting(c -> c.spec().requestId()).containsExactly("a", "late");
        assertThat(((CallOutcome.Failed) done.get(1).outcome()).classification().category())
                .isEqualTo(ErrorCategory.TIMEOUT);
        assertThat(done.get(0).called()).isTrue();
        assertThat(done.get(1).called()).as("never called: no evidence about the target").isFalse();
        assertThat(slots.available()).isEqualTo(1);
    }
}
