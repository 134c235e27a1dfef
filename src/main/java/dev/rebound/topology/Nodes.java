package dev.rebound.topology;

import dev.rebound.config.RetrySettings;

import java.time.Duration;

/** Processor node names; {@code forward(record, childName)} routes by them. */
public final class Nodes {

    public static final String CALLS_SOURCE = "calls-source";
    public static final String EXECUTOR = "call-executor";
    public static final String RESULTS_SINK = "results-sink";
    public static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    public static final String RETRY_SOURCE = "retry-source";
    public static final String OUTCOMES_SINK = "outcomes-sink";
    public static final String OUTCOMES_SOURCE = "outcomes-source";
    public static final String CIRCUIT_OWNER = "circuit-owner";
    public static final String CIRCUITS_SINK = "circuits-sink";
    public static final String CIRCUITS_SOURCE = "circuits-source";
    public static final String CIRCUITS_READER = "circuits-reader";
    public static final String QUOTA_OWNER = "quota-owner";
    public static final String QUOTA_SINK = "quota-sink";
    public static final String QUOTA_SOURCE = "quota-source";
    public static final String QUOTA_READER = "quota-reader";
    public static final String CONTROL_SOURCE = "control-source";
    public static final String CONTROL_READER = "control-reader";

    /** The sink of one delay tier. */
    public static String retrySink(final Duration tier) {
        return "retry-sink-" + RetrySettings.tierName(tier);
    }

    private Nodes() {
    }
}
