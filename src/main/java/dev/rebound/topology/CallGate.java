package dev.rebound.topology;

import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.request.AgentRequest;

import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * Whether an admitted request's call may start now in this task: its target has room here, no
 * request waits before it in turn (priority, then arrival), and its rate limit has quota for it.
 * One that may not is parked in the {@link SlotBacklog}; one that may has its grant spent. Stream-thread only.
 */
final class CallGate {

    private final CallDispatcher dispatcher;
    private final SlotBacklog backlog = new SlotBacklog();
    private final TaskQuotas quotas;

    CallGate(final CallDispatcher dispatcher, final TaskQuotas quotas) {
        this.dispatcher = dispatcher;
        this.quotas = quotas;
    }

    /** The requests waiting here, by target and priority: what this task tells the rate limits' owners. */
    SlotBacklog backlog() {
        return backlog;
    }


    /**
     * {@code null} when request {@code id}'s call to {@code target} starts now (its rate-limit grant
     * spent, its call counted); otherwise what it waits for, for its dead letter if its deadline
     * comes first, and it is in the backlog.
     */
    String tryStart(final String id, final TargetConfig target, final InFlightEntry entry, final Instant now) {
        final SlotBacklog.Place place = place(target.name(), id, entry);
        final boolean room = dispatcher.hasRoom(target.name());
        if (room && !backlog.hasAhead(target.name(), place) && quotas.mayStart(target.name(), place.tokens(), now)) {
            backlog.remove(target.name(), place);
            quotas.waited(target.name(), entry, now);
            quotas.start(id, target.name(), place.tokens(), now);
            return null;
        }
        backlog.add(target.name(), place);
        return !room || !quotas.limited(target.name())
                ? "a free call slot of " + target.name() + " (maxInFlight " + target.maxInFlight() + ")" : TaskQuotas.rateLimitText(target);
    }

    /** A restored parked request goes back into its target's backlog, in turn. */
    void park(final String target, final String id, final InFlightEntry entry) {
        backlog.add(target, place(target, id, entry));
    }

    /**
     * Resumes parked requests, in turn, while the one at the head of their target's backlog could
     * start, at most {@code max}; {@code resume} gets the target and the id.
     */
    void resume(final BiConsumer<String, String> resume, final int max, final Instant now) {
        backlog.resume((target, head) -> dispatcher.hasRoom(target) && quotas.mayStart(target, head.tokens(), now), resume, max);
    }

    private SlotBacklog.Place place(final String target, final String id, final InFlightEntry entry) {
        return SlotBacklog.Place.of(id, entry.firstSeenAt(), AgentRequest.priority(entry.request()), quotas.tokens(target, entry));
    }
}
