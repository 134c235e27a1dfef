package dev.rebound.execute;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.lifecycle.CallOutcome;

import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts attempts without blocking the caller and hands their outcomes back through a queue.
 *
 * <p>Slots: each target has one {@link Semaphore} of {@code maxInFlight} permits shared by every
 * task in the process, so the bound holds per instance whatever the partition count. An attempt
 * that finds no permit waits in this dispatcher's line for its target; it is durable anyway,
 * because its request is already in the in-flight store. The line is bounded per target
 * ({@link #MAX_WAITING_PER_TARGET} attempts) and in bytes ({@link #MAX_WAITING_BYTES}): when it is
 * full, {@link #hasRoom} says so and the caller parks the request in its timer store instead, so
 * memory stays bounded whatever the backlog, and one saturated target never fills another's line.
 *
 * <p>Hand-over: when a call ends, its HTTP callback gives its permit straight to the next attempt
 * waiting in this dispatcher's line for the same target and starts it, on the callback's thread.
 * Only attempts already submitted (so already stored) wait in a line, and starting one touches no
 * store and no processor context, so this is safe off the stream thread; it keeps a saturated
 * target's slots busy while the stream thread commits or handles other tasks, instead of idling
 * until the next punctuation. Without a waiting attempt the permit goes back to the semaphore,
 * where any task can take it.
 *
 * <p>Threading: {@link #submit}, {@link #cancel}, {@link #drain}, {@link #startWaiting} and
 * {@link #close} are called from one stream thread; callbacks touch only the lines, the counters
 * and the completion queue, all concurrent.
 *
 * <p>A cancelled request's call is not aborted (its slot must stay taken until the exchange really
 * ends, which its own timeout bounds); its outcome is dropped when it arrives.
 */
public final class CallDispatcher {

    /** Attempts one task may queue for one target beyond its slots. */
    public static final int MAX_WAITING_PER_TARGET = 256;
    /** Payload bytes one task may hold in its waiting lines in all. */
    public static final long MAX_WAITING_BYTES = 64L << 20;

    private final Function<String, TargetExecutor> executors;
    private final Function<String, Semaphore> slots;
    private final Map<String, Queue<CallSpec>> waiting = new ConcurrentHashMap<>();
    private final Set<String> active = new HashSet<>();
    private final Set<String> cancelled = new HashSet<>();
    private final AtomicLong waitingBytes = new AtomicLong();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public CallDispatcher(final Function<String, TargetExecutor> executors, final Function<String, Semaphore> slots) {
        this.executors = executors;
        this.slots = slots;
    }

    /** Starts the attempt now when its target has a free slot, else queues it. */
    public void submit(final CallSpec spec) {
        if (!active.add(spec.requestId())) {
            return;
        }
        final Semaphore s = slots.apply(spec.target());
        if (line(spec.target()).isEmpty() && s.tryAcquire()) {
            start(spec, s);
            return;
        }
        line(spec.target()).add(spec);
        waitingCount.incrementAndGet();
        waitingBytes.addAndGet(spec.body().length);
        // a permit may have come back between the check and the add: nobody else would notice
        startWaiting(spec.target(), s);
    }

    /** Whether an attempt for {@code target} would start or fit in its waiting line now. */
    public boolean hasRoom(final String target) {
        final int queued = line(target).size();
        if (queued == 0 && slots.apply(target).availablePermits() > 0) {
            return true;
        }
        return queued < MAX_WAITING_PER_TARGET && waitingBytes.get() < MAX_WAITING_BYTES;
    }

    /**
     * Forgets request {@code requestId}'s attempt: a queued one is dropped, a running one keeps its
     * slot until it ends but its outcome will not be handed out.
     */
    public void cancel(final String requestId) {
        if (!active.remove(requestId)) {
            return;
        }
        for (final Queue<CallSpec> q : waiting.values()) {
            for (final CallSpec spec : q) {
                if (spec.requestId().equals(requestId) && q.remove(spec)) {
                    waitingCount.decrementAndGet();
                    waitingBytes.addAndGet(-spec.body().length);
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
        return waitingCount.get();
    }

    /** Attempts queued or running. */
    public int active() {
        return active.size();
    }

    /** Starts queued attempts for which permits have come back to the semaphores (freed by other tasks' calls). */
    public void startWaiting() {
        if (waitingCount.get() == 0) {
            return;
        }
        for (final String target : waiting.keySet()) {
            startWaiting(target, slots.apply(target));
        }
    }

    private void startWaiting(final String target, final Semaphore s) {
        final Queue<CallSpec> q = line(target);
        while (!q.isEmpty() && s.tryAcquire()) {
            final CallSpec next = q.poll();
            if (next == null) {
                s.release(); // another thread took the last one
                return;
            }
            dequeued(next);
            start(next, s);
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
        waiting.clear();
        waitingCount.set(0);
        waitingBytes.set(0);
        active.clear();
        cancelled.clear();
        completions.clear();
    }

    private Queue<CallSpec> line(final String target) {
        return waiting.computeIfAbsent(target, t -> new ConcurrentLinkedQueue<>());
    }

    private void dequeued(final CallSpec spec) {
        waitingCount.decrementAndGet();
        waitingBytes.addAndGet(-spec.body().length);
    }

    /** An executor broke its contract and failed exceptionally; the attempt still ends, classified. */
    private static CallOutcome broken(final Throwable error) {
        return new CallOutcome.Failed(new Classification(ErrorCategory.UNKNOWN, null,
                "executor failed: " + error, Optional.empty()), Instant.now(), 0);
    }

    /**
     * Starts {@code first} holding one permit of {@code s}; when it ends the permit passes to the
     * next in line. A call that is already finished when it returns (an in-process executor) is
     * handled in this loop rather than in a nested callback, so a long line cannot deepen the stack.
     */
    private void start(final CallSpec first, final Semaphore s) {
        CallSpec spec = first;
        while (spec != null) {
            CompletableFuture<CallOutcome> future;
            try {
                future = executors.apply(spec.target()).call(spec);
            } catch (final RuntimeException broken) {
                // an executor that throws instead of answering is broken: the attempt still ends, classified
                future = CompletableFuture.failedFuture(broken);
            }
            if (!future.isDone()) {
                final CallSpec running = spec;
                future.whenComplete((outcome, error) -> {
                    finished(running, outcome, error);
                    start(nextOrRelease(running.target(), s), s);
                });
                return;
            }
            final CallSpec done = spec;
            future.whenComplete((outcome, error) -> finished(done, outcome, error));
            spec = nextOrRelease(spec.target(), s);
        }
    }

    private void finished(final CallSpec spec, final CallOutcome outcome, final Throwable error) {
        if (!closed) {
            completions.add(new Completion(spec, outcome != null ? outcome : broken(error)));
        }
    }

    /** A call ended: the next attempt waiting here for the same target keeps its permit; without one the permit goes back. */
    private CallSpec nextOrRelease(final String target, final Semaphore s) {
        final Queue<CallSpec> q = waiting.get(target);
        final CallSpec next = closed || q == null ? null : q.poll();
        if (next == null) {
            s.release();
            return null;
        }
        dequeued(next);
        return next;
    }
}
