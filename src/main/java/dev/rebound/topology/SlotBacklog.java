package dev.rebound.topology;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One task's parked requests (their target's line was full), per target, in the order they were
 * first parked. The drain punctuator resumes them as soon as their target's line has room, ahead
 * of their park timers, which only stand in for this backlog when it is lost (a restart resumes
 * parked entries from the store). Only ids are held: the requests themselves are in the in-flight
 * store, so memory stays small whatever the backlog.
 */
final class SlotBacklog {

    private final Map<String, LinkedHashSet<String>> byTarget = new HashMap<>();

    /** Adds a parked request at the end of its target's backlog, unless it is already in it (it keeps its place). */
    void add(final String target, final String id) {
        byTarget.computeIfAbsent(target, t -> new LinkedHashSet<>()).add(id);
    }

    /** Whether requests wait in {@code target}'s backlog: a request that was never parked queues behind them. */
    boolean has(final String target) {
        final LinkedHashSet<String> ids = byTarget.get(target);
        return ids != null && !ids.isEmpty();
    }

    /**
     * Resumes, oldest first, the requests of every target for which {@code hasRoom} says there is
     * room, asking again before each, at most {@code max} in all. {@code resume} may park a request
     * again ({@link #add}): it then goes to the end of its backlog.
     */
    void resume(final Predicate<String> hasRoom, final Consumer<String> resume, final int max) {
        int n = 0;
        for (final String target : List.copyOf(byTarget.keySet())) {
            final LinkedHashSet<String> ids = byTarget.get(target);
            while (n < max && !ids.isEmpty() && hasRoom.test(target)) {
                final String id = ids.iterator().next();
                ids.remove(id);
                n++;
                resume.accept(id);
            }
            if (ids.isEmpty()) {
                byTarget.remove(target, ids);
            }
        }
    }

    int size() {
        return byTarget.values().stream().mapToInt(LinkedHashSet::size).sum();
    }

    void clear() {
        byTarget.clear();
    }
}
