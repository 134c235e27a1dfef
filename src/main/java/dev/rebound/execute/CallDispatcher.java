package dev.rebound.execute;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts attempts without blocking the caller and hands their outcomes back through a queue.
 *
 * <p>Slots: each target has one {@link TargetSlots}, {@code maxInFlight} permits shared by every
 * task in the process (fewer while an adaptive limit, {@code concurrency: auto}, holds them back),
 * so the bound holds per instance whatever the partition count. An attempt
 * that finds no permit waits in this dispatcher's line for its target; it is durable anyway,
 * because its request is already in the in-flight store. The line is bounded per target
 * ({@link #MAX_WAITING_PER_TARGET} attempts) and in bytes ({@link #MAX_WAITING_BYTES}): when it is
 * full, {@link #hasRoom} says so and the caller parks the request in its timer store instead, so
 * memory stays bounded whatever the backlog, and one saturated target never fills another's line.
 *
 * <p>Hand-over: when a call ends, its HTTP callback gives its permit straight to the next attempt
 * waiting for the same target, in this dispatcher's line or, in turn, another task's
 * ({@link TargetSlots#handOver}), and starts it, on the callback's thread. Only attempts already
 * submitted (so already stored) wait in a line, and starting one touches no store and no
 * processor context, so this is safe off the stream thread; it keeps a saturated target's slots
 * busy while the stream thread commits or handles other tasks, instead of idling until the next
 * punctuation. Without a waiting attempt anywhere the permit goes back to the semaphore.
 *
 * <p>Threading: {@link #submit}, {@link #cancel}, {@link #drain}, {@link #startWaiting} and
 * {@link #close} are called from one stream thread; callbacks touch only the lines, the counters
 * and the completion queue, all concurrent.
 *
 * <p>A cancelled request's call is not aborted (its slot must stay taken until the exchange really
 * ends, which its own timeout bounds); its outcome is dropped when it arrives.
 */
public final class CallDispatcher {

    /**
     * Attempts one task may queue for one target beyond its slots. Memory is bounded by the byte
     * limits; this bounds how far ahead of its target a task runs: a request waiting here costs no
     * store write, one parked four (its entry and timer when parked, again when it resumes).
     */
    public static final int MAX_WAITING_PER_TARGET = 4_096;
    /** Payload bytes one task may hold in its waiting lines in all. */
    public static final long MAX_WAITING_BYTES = 64L << 20;
    /** Payload bytes one task may hold waiting for one target: one saturated target cannot take another's room. */
    public static final long MAX_WAITING_BYTES_PER_TARGET = 16L << 20;
    /**
     * Calls one line may start in a row with permits handed over by its own finished calls; then the
     * permit goes to another task's line waiting for the same target, if one waits, so every task gets slots.
     */
    static final int MAX_HAND_OVERS = 16;

    /** An attempt waiting for a slot, and (as {@link System#nanoTime}) when its request's deadline comes. */
    private record Queued(CallSpec spec, long deadlineNanos) {
    }

    /**
     * An attempt taken from a line to start with a permit the caller holds; {@code inARow} counts
     * the attempts that permit has started in a row from the same line before this one.
     */
    record Next(Line line, CallSpec spec, int inARow) {
        Next after(final Next done) {
            return new Next(line, spec, done.line() == line ? done.inARow() + 1 : 0);
        }
    }

    /** This task's attempts waiting for one target's slots; registered with the target's {@link TargetSlots}. */
    final class Line {
        final TargetSlots slots;
        final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
        final AtomicLong bytes = new AtomicLong();
        /** Attempts in {@link #queue} ({@code ConcurrentLinkedQueue.size} walks the whole queue). */
        final AtomicInteger count = new AtomicInteger();

        Line(final TargetSlots slots) {
            this.slots = slots;
        }

        CallDispatcher dispatcher() {
            return CallDispatcher.this;
        }

        boolean hasWaiting() {
            return !closed && !queue.isEmpty();
        }

        /**
         * The next attempt, its timeout capped by what is left until its request's deadline. One
         * whose deadline passed in line ends as a {@code TIMEOUT} without a call, and the next is
         * taken; {@code null} when the line is empty or its dispatcher closed.
         */
        Next take() {
            Queued q;
            while ((q = closed ? null : queue.poll()) != null) {
                dequeued(this, q.spec());
                if (closed) {
                    return null; // closed between the look and the poll: the task's next owner calls it
                }
                final long left = q.deadlineNanos() - System.nanoTime();
                if (left > 0) {
                    final CallSpec c = q.spec();
                    return new Next(this, left >= c.timeout().toNanos() ? c
                            : new CallSpec(c.requestId(), c.target(), c.attempt(), c.body(), Duration.ofNanos(left), Duration.ofNanos(left)), 0);
                }
                finished(q.spec(), new CallOutcome.Failed(new Classification(ErrorCategory.TIMEOUT, null, "no slot of " + q.spec().target()
                        + " came free before the request's deadline while it waited in line; not called", Optional.empty()), Instant.now(), 0),
                        false);
            }
            return null;
        }
    }

    private final Function<String, TargetExecutor> executors;
    private final Function<String, TargetSlots> slots;
    private final Map<String, Line> waiting = new ConcurrentHashMap<>();
    private final Set<String> active = new HashSet<>();
    private final Set<String> cancelled = new HashSet<>();
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public CallDispatcher(final Function<String, TargetExecutor> executors, final Function<String, TargetSlots> slots) {
        this.executors = executors;
        this.slots = slots;
    }

    /** Starts the attempt now when its target has a free slot, else queues it. */
    public void submit(final CallSpec spec) {
        if (!active.add(spec.requestId())) {
            return;
        }
        final Line line = line(spec.target());
        if (line.queue.isEmpty() && line.slots.tryAcquire()) {
            start(new Next(line, spec, 0));
            return;
        }
        line.queue.add(new Queued(spec, System.nanoTime() + spec.untilDeadline().toNanos()));
        line.count.incrementAndGet();
        line.bytes.addAndGet(spec.body().length);
        // a permit may have come back between the check and the add: nobody else would notice
        startWaiting(line);
    }

    /** Whether an attempt for {@code target} would start or fit in its waiting line now. */
    public boolean hasRoom(final String target) {
        final Line line = line(target);
        final int queued = line.count.get();
        if (queued == 0 && line.slots.available() > 0) {
            return true;
        }
        return queued < MAX_WAITING_PER_TARGET && line.bytes.get() < MAX_WAITING_BYTES_PER_TARGET
                && waitingBytes() < MAX_WAITING_BYTES;
    }

    /**
     * Whether an attempt for {@code target} would start at once: no attempt of this task waits in
     * its line and a slot is free. A rate-limited call spends its quota only then, so that quota is
     * never held in a line (where it could outlive its grant and go out in a burst later).
     */
    public boolean freeSlot(final String target) {
        final Line line = line(target);
        return line.count.get() == 0 && line.slots.available() > 0;
    }

    /**
     * Forgets request {@code requestId}'s attempt: a queued one is dropped, a running one keeps its
     * slot until it ends but its outcome will not be handed out.
     */
    public void cancel(final String requestId) {
        if (!active.remove(requestId)) {
            return;
        }
        for (final Line line : waiting.values()) {
            for (final Queued q : line.queue) {
                if (q.spec().requestId().equals(requestId) && line.queue.remove(q)) {
                    dequeued(line, q.spec());
                    return;
                }
            }
        }
        cancelled.add(requestId); // running, or just handed a slot by a callback
    }

    /** Whether an attempt for this request is queued or running here. */
    public boolean isActive(final String requestId) {
        return active.contains(requestId);
    }

    /** Attempts queued for a slot. */
    public int waiting() {
        int n = 0;
        for (final Line line : waiting.values()) {
            n += line.count.get();
        }
        return n;
    }

    /** Payload bytes waiting in all of this task's lines. */
    private long waitingBytes() {
        long n = 0;
        for (final Line line : waiting.values()) {
            n += line.bytes.get();
        }
        return n;
    }

    /** Calls running against {@code target} from this process now (every task's). */
    public int running(final String target) {
        return slots.apply(target).inFlight();
    }

    /** The targets for which attempts of this task wait in line now. */
    public List<String> waitingTargets() {
        final List<String> out = new ArrayList<>();
        waiting.forEach((target, line) -> {
            if (line.count.get() > 0) {
                out.add(target);
            }
        });
        return out;
    }

    /**
     * Takes back every attempt of this task still waiting in line for {@code target} (its circuit
     * opened, or an operator disabled it, after they were admitted): they were never called, and
     * their requests go on as not admitted rather than each spending a call on a target that has
     * been judged down. An attempt a callback takes at the same moment starts as before.
     */
    public List<CallSpec> recall(final String target) {
        final Line line = waiting.get(target);
        if (line == null) {
            return List.of();
        }
        final List<CallSpec> out = new ArrayList<>();
        for (Queued q = line.queue.poll(); q != null; q = line.queue.poll()) {
            dequeued(line, q.spec());
            active.remove(q.spec().requestId());
            out.add(q.spec());
        }
        return out;
    }

    /** Attempts queued or running. */
    public int active() {
        return active.size();
    }

    /** Starts queued attempts for which permits are free (a safety net: finished calls hand their permits over themselves). */
    public void startWaiting() {
        for (final Line line : waiting.values()) {
            startWaiting(line);
        }
    }

    private void startWaiting(final Line line) {
        while (line.hasWaiting() && line.slots.tryAcquire()) {
            final Next next = line.take();
            if (next == null) {
                line.slots.release();
                return;
            }
            start(next);
        }
    }

    /** Hands at most {@code max} finished attempts to {@code handler}, oldest first; returns how many. */
    public int drain(final Consumer<Completion> handler, final int max) {
        int n = 0;
        Completion c;
        while (n < max && (c = completions.poll()) != null) {
            n++;
            if (cancelled.remove(c.spec().requestId())) {
                continue;
            }
            active.remove(c.spec().requestId());
            handler.accept(c);
        }
        return n;
    }

    /**
     * Forgets everything: the task is closing (rebalance, shutdown). Running calls still release
     * their slots when they finish; their outcomes are dropped, queued attempts are not started,
     * and the next owner of the task restarts them from the in-flight store.
     */
    public void close() {
        closed = true;
        for (final Line line : waiting.values()) {
            line.slots.unregister(line);
            line.queue.clear();
        }
        waiting.clear();
        active.clear();
        cancelled.clear();
        completions.clear();
    }

    private Line line(final String target) {
        return waiting.computeIfAbsent(target, t -> {
            final Line line = new Line(slots.apply(t));
            line.slots.register(line);
            return line;
        });
    }

    private void dequeued(final Line line, final CallSpec spec) {
        line.count.decrementAndGet();
        line.bytes.addAndGet(-spec.body().length);
    }

    /** An executor broke its contract and failed exceptionally; the attempt still ends, classified. */
    private static CallOutcome broken(final Throwable error) {
        return new CallOutcome.Failed(new Classification(ErrorCategory.UNKNOWN, null,
                "executor failed: " + error, Optional.empty()), Instant.now(), 0);
    }

    /**
     * Starts {@code first}, whose line's target permit the caller holds; when it ends the permit is
     * handed over ({@link TargetSlots#handOver}) and the next attempt starts on the same thread. A
     * call that is already finished when it returns (an in-process executor) is handled in this loop
     * rather than in a nested callback, so a long line cannot deepen the stack.
     */
    static void start(final Next first) {
        Next next = first;
        while (next != null) {
            final Next running = next;
            final Line line = next.line();
            final CallSpec spec = next.spec();
            // what the target's concurrency limit learns when the call ends: how full it was, how long it took
            final int inflight = line.slots.inFlight();
            line.slots.started();
            final long began = System.nanoTime();
            CompletableFuture<CallOutcome> future;
            try {
                future = line.dispatcher().executors.apply(spec.target()).call(spec);
            } catch (final RuntimeException broken) {
                // an executor that throws instead of answering is broken: the attempt still ends, classified
                future = CompletableFuture.failedFuture(broken);
            }
            if (!future.isDone()) {
                future.whenComplete((outcome, error) -> {
                    final CallOutcome o = outcome != null ? outcome : broken(error);
                    line.dispatcher().finished(spec, o, true);
                    start(line.slots.handOver(running, o, System.nanoTime() - began, inflight));
                });
                return;
            }
            final CallOutcome o = future.handle((outcome, error) -> outcome != null ? outcome : broken(error)).join(); // done: no wait
            line.dispatcher().finished(spec, o, true);
            next = line.slots.handOver(running, o, System.nanoTime() - began, inflight);
        }
    }

    private void finished(final CallSpec spec, final CallOutcome outcome, final boolean called) {
        if (!closed) {
            completions.add(new Completion(spec, outcome, called));
        }
    }
}
