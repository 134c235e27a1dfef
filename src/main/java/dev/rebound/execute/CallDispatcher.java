package dev.rebound.execute;

import dev.rebound.lifecycle.CallOutcome;

import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Starts attempts without blocking the caller and hands their outcomes back through a queue.
 *
 * <p>Threading: every method except the completion callback is called from one stream thread.
 * Callbacks run on HTTP client threads and touch only the slot semaphore (thread-safe) and the
 * completion queue (concurrent); the stream thread picks completions up with {@link #drain}. This
 * is the hand-over Kafka Streams requires: no store or context access from a foreign thread.
 *
 * <p>Slots: each target has one {@link Semaphore} of {@code maxInFlight} permits shared by every
 * task in the process, so the bound holds per instance whatever the partition count. An attempt
 * that finds no permit waits in this dispatcher's line for its target; it is durable anyway,
 * because its request is already in the in-flight store. The line is bounded per target
 * ({@link #MAX_WAITING_PER_TARGET} attempts) and in bytes ({@link #MAX_WAITING_BYTES}): when it is
 * full, {@link #hasRoom} says so and the caller parks the request in its timer store instead, so
 * memory stays bounded whatever the backlog, and one saturated target never fills the line of another.
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
    private final Map<String, Queue<CallSpec>> waiting = new HashMap<>();
    private final Set<String> active = new HashSet<>();
    private final Set<String> cancelled = new HashSet<>();
    private long waitingBytes;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private int waitingCount;

    public CallDispatcher(final Function<String, TargetExecutor> executors, final Function<String, Semaphore> slots) {
        this.executors = executors;
        this.slots = slots;
    }

    /** Starts the attempt now when its target has a free slot, else queues it. */
    public void submit(final CallSpec spec) {
        if (!active.add(spec.requestId())) {
            return;
        }
        if (slots.apply(spec.target()).tryAcquire()) {
            start(spec);
        } else {
            waiting.computeIfAbsent(spec.target(), t -> new ArrayDeque<>()).add(spec);
            waitingCount++;
            waitingBytes += spec.body().length;
        }
    }

    /** Whether an attempt for {@code target} would start or fit in its waiting line now. */
    public boolean hasRoom(final String target) {
        final Queue<CallSpec> q = waiting.get(target);
        final int queued = q == null ? 0 : q.size();
        if (queued == 0 && slots.apply(target).availablePermits() > 0) {
            return true;
        }
        return queued < MAX_WAITING_PER_TARGET && waitingBytes < MAX_WAITING_BYTES;
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
            final java.util.Iterator<CallSpec> it = q.iterator();
            while (it.hasNext()) {
                final CallSpec spec = it.next();
                if (spec.requestId().equals(requestId)) {
                    it.remove();
                    waitingCount--;
                    waitingBytes -= spec.body().length;
                    return;
                }
            }
        }
        cancelled.add(requestId);
    }

    /** Whether an attempt for this request is queued or running here. */
    public boolean isActive(final String requestId) {
        return active.contains(requestId);
    }

    /** Attempts queued for a slot. */
    public int waiting() {
        return waitingCount;
    }

    /** Attempts queued or running. */
    public int active() {
        return active.size();
    }

    /** Starts queued attempts for which slots have freed up. */
    public void startWaiting() {
        if (waitingCount == 0) {
            return;
        }
        for (final Map.Entry<String, Queue<CallSpec>> e : waiting.entrySet()) {
            final Semaphore s = slots.apply(e.getKey());
            final Queue<CallSpec> q = e.getValue();
            while (!q.isEmpty() && s.tryAcquire()) {
                waitingCount--;
                final CallSpec spec = q.poll();
                waitingBytes -= spec.body().length;
                start(spec);
            }
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
     * their slots when they finish; their outcomes are dropped, and the next owner of the task
     * restarts them from the in-flight store.
     */
    public void close() {
        closed = true;
        waiting.clear();
        waitingCount = 0;
        waitingBytes = 0;
        active.clear();
        cancelled.clear();
        completions.clear();
    }

    /** An executor broke its contract and failed exceptionally; the attempt still ends, classified. */
    private static CallOutcome broken(final Throwable error) {
        return new CallOutcome.Failed(new Classification(ErrorCategory.UNKNOWN, null,
                "executor failed: " + error, Optional.empty()), Instant.now(), 0);
    }

    private void start(final CallSpec spec) {
        final Semaphore s = slots.apply(spec.target());
        CompletableFuture<CallOutcome> future;
        try {
            future = executors.apply(spec.target()).call(spec);
        } catch (final RuntimeException broken) {
            // an executor that throws instead of answering is broken: the attempt still ends, classified
            future = CompletableFuture.failedFuture(broken);
        }
        future.whenComplete((outcome, error) -> {
            s.release();
            if (!closed) {
                completions.add(new Completion(spec, outcome != null ? outcome : broken(error)));
            }
        });
    }
}
