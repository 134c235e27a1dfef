package dev.rebound.config;

import java.time.Duration;

/**
 * How long a command waits for the cluster at start ({@code startup:} in the configuration).
 *
 * @param timeout how long {@code run}, {@code topics create}, {@code send}, {@code tail},
 *                {@code dlq} and {@code control} wait for a broker of {@code kafka.bootstrap.servers}
 *                to answer before they give up with exit code 1 (default 60s). A broker that
 *                answers but refuses the credentials ends the wait at once.
 */
public record StartupSettings(Duration timeout) {

    public static final StartupSettings DEFAULT = new StartupSettings(Duration.ofSeconds(60));

    public StartupSettings {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new ConfigException("startup.timeout", "must be a positive duration such as 60s, was " + timeout);
        }
    }
}
