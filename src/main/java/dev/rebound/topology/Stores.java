package dev.rebound.topology;

/** State store names. Changelog topics are named after them by Kafka Streams. */
public final class Stores {

    /** Request id to {@link InFlightEntry}: every request that has no terminal record yet. */
    public static final String IN_FLIGHT = "rebound-in-flight";
    /** Request id to its terminal record, windowed by arrival time: the dedup memory. */
    public static final String DEDUP = "rebound-dedup";

    private Stores() {
    }
}
