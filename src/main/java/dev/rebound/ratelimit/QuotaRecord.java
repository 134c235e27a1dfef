package dev.rebound.ratelimit;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * What a rate-limited target's owner publishes to the compacted {@code agent-quota} topic, read by
 * every instance into a global store: per calling task, its grant totals and allowance (key
 * {@link #grantKey}); per target, a summary (key: the target's name) with the epoch, any pause, and
 * the figures {@code rebound status} shows.
 *
 * @param target     the target
 * @param task       the task the grant is for; {@code null} in the summary
 * @param seq        the owner's round that wrote it
 * @param epoch      grants of an older epoch must not be spent (the provider said stop)
 * @param requests   requests granted to the task so far, for ever (a total, so a missed record loses nothing)
 * @param tokens     tokens granted to the task so far
 * @param allowance  calls the task may have in flight (when a concurrency limit is set)
 * @param pausedUntil no grants until then (a 429's {@code Retry-After}), or {@code null}
 * @param view       the summary's figures; {@code null} in a grant
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuotaRecord(String target, String task, long seq, long epoch, long requests, long tokens, int allowance,
                          Instant pausedUntil, QuotaLedger.View view) {

    public QuotaRecord {
        java.util.Objects.requireNonNull(target, "target"); // a foreign record on the topic is skipped, not read as a grant
    }

    /** The key of a task's grant record for a target. */
    public static String grantKey(final String target, final String task) {
        return target + "\u0000" + task;
    }

    public boolean summary() {
        return task == null;
    }
}
