package dev.rebound.demo;

import java.util.List;
import java.util.Map;

/**
 * What a demo run produced, counted from the output topics with {@code read_committed}. The JSON
 * written by {@code --summary-json} has exactly these fields.
 *
 * @param requests        records produced to {@code agent-calls}
 * @param succeeded       {@code SUCCEEDED} results
 * @param fallback        {@code FALLBACK} results
 * @param deadLettered    dead letters
 * @param downstreamCalls calls the simulated primary endpoint received
 * @param backupCalls     calls the simulated backup endpoint (the fallback target) received
 * @param lost            requests with no terminal record when the demo gave up waiting
 * @param duplicated      requests with more than one terminal record
 * @param invalidSent     of the requests, how many were deliberately bad
 * @param deadLetterReasons dead letters by reason
 * @param fallbackServedBy  {@code FALLBACK} results by the step that served them
 * @param ramp            the demo target's circuit timeline with the admitted share in each interval
 * @param timeline        one sample per second of the run, for the report
 * @param seconds         from the first record produced to the last terminal record read
 * @param validAnswered   valid requests (all but the deliberately bad ones) answered with a result
 * @param chaos           the chaos scenario's checks ({@link ChaosSummary#NONE} for the other scenarios)
 * @param pool            the pool scenario's shares per endpoint over time ({@link EndpointShares.Timeline#NONE} for the others)
 */
public record DemoSummary(long requests, long succeeded, long fallback, long deadLettered, long downstreamCalls,
                          long backupCalls, long lost, long duplicated, long invalidSent, Map<String, Long> deadLetterReasons,
                          Map<String, Long> fallbackServedBy, List<RampShares.Step> ramp, List<DemoReport.Sample> timeline,
                          double seconds, long validAnswered, ChaosSummary chaos, EndpointShares.Timeline pool) {

    /** A run without a pool. */
    public DemoSummary(final long requests, final long succeeded, final long fallback, final long deadLettered, final long downstreamCalls,
                       final long backupCalls, final long lost, final long duplicated, final long invalidSent,
                       final Map<String, Long> deadLetterReasons, final Map<String, Long> fallbackServedBy, final List<RampShares.Step> ramp,
                       final List<DemoReport.Sample> timeline, final double seconds, final long validAnswered, final ChaosSummary chaos) {
        this(requests, succeeded, fallback, deadLettered, downstreamCalls, backupCalls, lost, duplicated, invalidSent, deadLetterReasons,
                fallbackServedBy, ramp, timeline, seconds, validAnswered, chaos, EndpointShares.Timeline.NONE);
    }

    /** Requests that were not deliberately bad. */
    public long valid() {
        return requests - invalidSent;
    }

    /**
     * Whether the run showed what the demo claims: nothing lost and nothing duplicated; for the chaos
     * scenario also every valid request answered with a result, no id or answer rewritten, no secret
     * leaked, and the requests at the limits answered.
     */
    public boolean passed() {
        final boolean exactlyOnce = lost == 0 && duplicated == 0;
        return chaos == ChaosSummary.NONE ? exactlyOnce : exactlyOnce && validAnswered == valid() && chaos.clean();
    }
}
