package dev.rebound.execute;

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
import java.util.concurrent.TimeUnit;
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
 * that finds no permit waits in this dispatcher's queue; it is durable anyway, because its request
 * is already in the in-flight store.
 */
public final class CallDispatcher {

    private final Function<String, TargetExecutor> executors;
    private final Function<String, Semaphore> slots;
    private final Map<String, Queue<CallSpec>> waiting = new HashMap<>();
    private final Set<String> active = new HashSet<>();
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
        }
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
                start(q.poll());
            }
        }
    }

    /** Hands at most {@code max} finished attempts to {@code handler}, oldest first; returns how many. */
    public int drain(final Consumer<Completion> handler, final int max) {
        int n = 0;
        Completion c;
        while (n < max && (c = completions.poll()) != null) {
            active.remove(c.spec().requestId());
            handler.accept(c);
            n++;
        }
        return n;
    }

    /** Waits up to {@code timeoutMs} for one finished attempt, for back-pressure; returns whether one was handled. */
    public boolean awaitOne(final Consumer<Completion> handler, final long timeoutMs) throws InterruptedException {
        final Completion c = completions.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (c == null) {
            return false;
        }
        active.remove(c.spec().requestId());
        handler.accept(c);
        return true;
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
        active.clear();
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
        } catch (final RuntimeException bug) {
            s.release();
            throw bug;
        }
        future.whenComplete((outcome, error) -> {
            s.release();
            if (!closed) {
                completions.add(new Completion(spec, outcome != null ? outcome : broken(error)));
            }
        });
    }
}
