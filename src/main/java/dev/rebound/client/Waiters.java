package dev.rebound.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The futures waiting for an outcome, by request id: the one correlation table of a client,
 * shared by every calling thread and the reader thread. Several futures may wait for one id (a
 * call and an attach, or two attaches); the first terminal record for the id completes them all.
 * Futures are completed on {@code completer}, never on the reader thread, so a slow callback of a
 * caller cannot stall the consumer.
 */
final class Waiters {

    /** Each list is only touched inside the map's compute functions, or after it was removed from the map. */
    private final Map<String, List<CompletableFuture<Outcome>>> byId = new ConcurrentHashMap<>();
    private final Executor completer;

    Waiters(final Executor completer) {
        this.completer = completer;
    }

    void add(final String id, final CompletableFuture<Outcome> future) {
        byId.compute(id, (k, list) -> {
            final List<CompletableFuture<Outcome>> l = list == null ? new ArrayList<>(1) : list;
            l.add(future);
            return l;
        });
    }

    /** Stops {@code future} waiting (it timed out, or its request could not be sent). */
    void remove(final String id, final CompletableFuture<Outcome> future) {
        byId.computeIfPresent(id, (k, list) -> {
            list.remove(future);
            return list.isEmpty() ? null : list;
        });
    }

    boolean waitingFor(final String id) {
        return byId.containsKey(id);
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    /** Completes every future waiting for the outcome's id. */
    void complete(final Outcome outcome) {
        final List<CompletableFuture<Outcome>> list = byId.remove(outcome.id());
        if (list != null) {
            completer.execute(() -> list.forEach(f -> f.complete(outcome)));
        }
    }

    /** Ends every waiting future with {@code failure} (the client closed, or its reader failed). */
    void failAll(final Throwable failure) {
        for (final String id : List.copyOf(byId.keySet())) {
            final List<CompletableFuture<Outcome>> list = byId.remove(id);
            if (list != null) {
                list.forEach(f -> f.completeExceptionally(failure));
            }
        }
    }
}
