package dev.rebound.topology;

import dev.rebound.request.Priority;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * One task's parked requests (their target's line was full, or its rate limit had no quota yet),
 * per target, in the order they start: by priority ({@code high} first), then oldest first (by when
 * it first arrived, then by id). The drain punctuator resumes them as soon as their target has room,
 * ahead of their park timers, which only stand in for this backlog when it is lost; a restart puts
 * the restored parked entries back here in the same order. Only ids are held: the requests
 * themselves are in the in-flight store.
 */
final class SlotBacklog {

    /** A parked request's place; {@code tokens} is what it will reserve from a token limit. */
    record Place(Priority priority, long firstSeenMs, String id, long tokens) {

        static Place of(final String id, final Instant firstSeenAt, final Priority priority, final long tokens) {
            return new Place(priority, firstSeenAt == null ? Long.MAX_VALUE : firstSeenAt.toEpochMilli(), id, tokens);
        }
    }

    private static final Comparator<Place> IN_TURN = Comparator.comparing(Place::priority).thenComparingLong(Place::firstSeenMs)
            .thenComparing(Place::id);

    /** One target's places, and how many wait (and want how many tokens) at each priority. */
    private static final class Queue {
        final TreeSet<Place> places = new TreeSet<>(IN_TURN);
        final long[] waiting = new long[Priority.values().length];
        final long[] tokens = new long[Priority.values().length];

        boolean add(final Place p) {
            if (!places.add(p)) {
                return false;
            }
            waiting[p.priority().ordinal()]++;
            tokens[p.priority().ordinal()] += p.tokens();
            return true;
        }

        boolean remove(final Place p) {
            if (!places.remove(p)) {
                return false;
            }
            waiting[p.priority().ordinal()]--;
            tokens[p.priority().ordinal()] -= p.tokens();
            return true;
        }
    }

    private final Map<String, Queue> byTarget = new HashMap<>();
    /** Where the next {@link #resume} starts among the targets, so that none is always served last. */
    private int turn;

    /** Adds a parked request to its target's backlog; one already there keeps its place. */
    void add(final String target, final Place place) {
        byTarget.computeIfAbsent(target, t -> new Queue()).add(place);
    }

    /** Takes a request out of its target's backlog (it starts now after all). */
    void remove(final String target, final Place place) {
        final Queue q = byTarget.get(target);
        if (q != null && q.remove(place) && q.places.isEmpty()) {
            byTarget.remove(target);
        }
    }

    /** Whether requests wait in {@code target}'s backlog that start before {@code place}: it queues behind them. */
    boolean hasAhead(final String target, final Place place) {
        final Queue q = byTarget.get(target);
        return q != null && !q.places.isEmpty() && IN_TURN.compare(q.places.first(), place) < 0;
    }

    /** How many requests wait for {@code target}, by priority (a copy). */
    long[] waiting(final String target) {
        final Queue q = byTarget.get(target);
        return q == null ? new long[Priority.values().length] : q.waiting.clone();
    }

    /** The tokens the requests waiting for {@code target} want, by priority (a copy). */
    long[] tokens(final String target) {
        final Queue q = byTarget.get(target);
        return q == null ? new long[Priority.values().length] : q.tokens.clone();
    }

    /** The tokens the first request waiting for {@code target} at each priority wants (0 where none waits). */
    long[] heads(final String target) {
        final long[] out = new long[Priority.values().length];
        final Queue q = byTarget.get(target);
        if (q != null) {
            for (final Priority p : Priority.values()) {
                final Place head = q.places.ceiling(new Place(p, Long.MIN_VALUE, "", 0));
                if (head != null && head.priority() == p) {
                    out[p.ordinal()] = head.tokens();
                }
            }
        }
        return out;
    }

    /**
     * Resumes, in turn, the requests of every target for which {@code mayStart} says the one at the
     * head could start, asking again before each, at most {@code max} in all, starting with a
     * different target each time. {@code resume} gets the target and the id, and may park the
     * request again ({@link #add}).
     */
    void resume(final BiPredicate<String, Place> mayStart, final BiConsumer<String, String> resume, final int max) {
        final List<String> targets = new ArrayList<>(byTarget.keySet());
        int n = 0;
        for (int i = 0; i < targets.size() && n < max; i++) {
            final String target = targets.get(Math.floorMod(turn + i, targets.size()));
            final Queue q = byTarget.get(target);
            while (n < max && q != null && !q.places.isEmpty() && mayStart.test(target, q.places.first())) {
                n++;
                final Place head = q.places.first();
                q.remove(head);
                resume.accept(target, head.id());
            }
            if (q != null && q.places.isEmpty()) {
                byTarget.remove(target, q);
            }
        }
        turn++;
    }

    int size() {
        return byTarget.values().stream().mapToInt(q -> q.places.size()).sum();
    }
}
