package dev.rebound.topology;

import dev.rebound.config.RetrySettings;

import java.time.Duration;
import java.util.List;

/** Rebound's topic names (DESIGN §1), each with the configured prefix. */
public final class Topics {

    public static final String CALLS = "agent-calls";
    public static final String RESULTS = "agent-results";
    public static final String DEAD_LETTERS = "agent-dead-letters";
    public static final String CIRCUITS = "agent-circuits";
    public static final String CONTROL = "agent-control";
    /** Attempt outcomes keyed by target, read by the task that owns each target's circuit. */
    public static final String OUTCOMES = "agent-circuit-outcomes";
    /** Rate-limit grants and summaries from each limited target's owner (compacted), read into a global store. */
    public static final String QUOTA = "agent-quota";
    /** Replay markers of `rebound dlq replay`, keyed by the dead letter's partition:offset. */
    public static final String REPLAYED = "agent-dead-letters-replayed";
    /** The base of the delay-tier topics: {@code agent-calls-retry-<tier>}. */
    public static final String RETRY = "agent-calls-retry";

    /**
     * A header on a terminal record that repeats a stored outcome for a repeated request id: an
     * answer, not a second terminal record, so consumers that count terminal records skip it.
     */
    public static final String DEDUP_REPLAY_HEADER = "rebound-dedup-replay";
    /**
     * Marks a record on {@code agent-circuit-outcomes} that only tells the owner of a target that the
     * target exists (sent by every task when it starts, for targets with a recovery policy), so that
     * its health checks start before its first call.
     */
    public static final String REGISTER_HEADER = "rebound-register";
    /** Marks a record on {@code agent-circuit-outcomes} that is a task's rate-limit {@code Demand}, not outcomes. */
    public static final String DEMAND_HEADER = "rebound-demand";

    /** The topics Rebound creates, in the order {@code rebound topics create} reports them. */
    public static final List<String> ALL = List.of(CALLS, RESULTS, DEAD_LETTERS, CIRCUITS, CONTROL, OUTCOMES, QUOTA, REPLAYED);

    private final String prefix;

    public Topics(final String prefix) {
        this.prefix = prefix;
    }

    /** A topic's full name: the prefix, then the base name. */
    public String name(final String base) {
        return prefix + base;
    }

    public String calls() {
        return prefix + CALLS;
    }

    public String results() {
        return prefix + RESULTS;
    }

    public String deadLetters() {
        return prefix + DEAD_LETTERS;
    }

    public String circuits() {
        return prefix + CIRCUITS;
    }

    public String replayed() {
        return prefix + REPLAYED;
    }

    public String quota() {
        return prefix + QUOTA;
    }

    public String outcomes() {
        return prefix + OUTCOMES;
    }

    public String control() {
        return prefix + CONTROL;
    }

    /** The topic of one delay tier, e.g. {@code agent-calls-retry-10s}. */
    public String retryTier(final Duration tier) {
        return prefix + RETRY + "-" + RetrySettings.tierName(tier);
    }
}
