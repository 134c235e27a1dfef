package dev.rebound.config;

/** How randomness is mixed into a backoff delay (AWS architecture blog's terms). */
public enum Jitter {
    /** Exactly the exponential delay. */
    NONE,
    /** Uniform between zero and the exponential delay. */
    FULL,
    /** Half the exponential delay plus a uniform share of the other half. */
    EQUAL,
    /** Uniform between the initial delay and three times the previous delay, capped. */
    DECORRELATED
}
