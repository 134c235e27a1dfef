package dev.rebound.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One task's parked requests (their target's line was full), per target, oldest request first
 * (by when it first arrived, then by id). The drain punctuator resumes them as soon as their
 * target's line has room, ahead of their park timers, which only stand in for this backlog when
 * it is lost; a restart puts the restored parked entries back here in the same order. Only ids
 * are held: the requests themselves are in the in-flight store.
 */
final class SlotBacklog {

    private record Place(long firstSeenMs, String id) {
    }

    private static final Comparator<Place> OLDEST_FIRST = Comparator.comparingLong(Place::firstSeenMs).thenComparing(Place::id);

    private final Map<String, TreeSet<Place>> byTarget = new HashMap<>();
    /** Where the next {@link #resume} starts among the targets, so that none is always served last. */
    private int turn;

    /** Adds a parked request to its target's backlog; one already there keeps its place. */
    void add(final String target, final String id, final Instant firstSeenAt) {
        byTarget.computeIfAbsent(target, t -> new TreeSet<>(OLDEST_FIRST))
                .add(new Place(firstSeenAt == null ? Long.MAX_VALUE : firstSeenAt.toEpochMilli(), id));
    }

    /** Whether requests wait in {@code target}'s backlog: a request that was never parked queues behind them. */
    boolean has(final String target) {
        final TreeSet<Place> ids = byTarget.get(target);
        return ids != null && !ids.isEmpty();
    }

    /**
     * Resumes, oldest first, the requests of every target for which {@code hasRoom} says there is
     * room, asking again before each, at most {@code max} in all, starting with a different target
     * each time. {@code resume} gets the target and the id, and may park the request again
     * ({@link #add}).
     */
    void resume(final Predicate<String> hasRoom, final BiConsumer<String, String> resume, final int max) {
        final List<String> targets = new ArrayList<>(byTarget.keySet());
        int n = 0;
        for (int i = 0; i < targets.size() && n < max; i++) {
            final String target = targets.get(Math.floorMod(turn + i, targets.size()));
            final TreeSet<Place> places = byTarget.get(target);
            while (n < max && !places.isEmpty() && hasRoom.test(target)) {
                n++;
                resume.accept(target, places.pollFirst().id());
            }
            if (places.isEmpty()) {
                byTarget.remove(target, places);
            }
        }
        turn++;
    }

    int size() {
        return byTarget.values().stream().mapToInt(TreeSet::size).sum();
    }

    void clear() {
        byTarget.clear();
    }
}
