package dev.rebound.ratelimit;

import dev.rebound.request.Priority;

import java.util.Objects;

/**
 * What one task tells a rate-limited target's owner, through {@code agent-circuit-outcomes} keyed by
 * the target: how many of its requests wait for quota (by priority) and the tokens they want, its
 * calls in flight, the newest grant it has seen, the tokens to settle, and what the provider last
 * said about its own limits. The owner decides the next grants from the demands it last heard.
 *
 * @param task        the task's id
 * @param waiting     requests waiting for quota, by {@link Priority#ordinal()}
 * @param tokens      the tokens those requests want, by priority
 * @param heads       the tokens the first of them wants, by priority: a grant must cover at least that
 * @param inFlight    the task's calls to the target running now
 * @param seenSeq     the sequence number of the newest grant record the task has seen
 * @param seenRequests the total of requests granted to it that the task has seen
 * @param seenTokens  the total of tokens granted to it that the task has seen
 * @param settle      tokens used minus tokens reserved, over the calls ended since the last demand
 *                    (negative: fewer used than reserved)
 * @param word        what the provider last said about its limits ({@code null}: nothing new)
 */
public record Demand(String task, long[] waiting, long[] tokens, long[] heads, int inFlight, long seenSeq, long seenRequests,
                     long seenTokens, long settle, ProviderWord word) {

    public Demand {
        Objects.requireNonNull(task, "task");
        waiting = waiting == null ? new long[Priority.values().length] : waiting.clone();
        tokens = tokens == null ? new long[Priority.values().length] : tokens.clone();
        heads = heads == null ? new long[Priority.values().length] : heads.clone();
        if (waiting.length != Priority.values().length || tokens.length != Priority.values().length
                || heads.length != Priority.values().length) {
            throw new IllegalArgumentException("a demand counts " + Priority.values().length + " priorities");
        }
    }
}
