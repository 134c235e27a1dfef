package dev.rebound.testkit;

import dev.rebound.config.ReboundConfig;

import java.nio.file.Path;

/** A Rebound configuration for a test against the shared broker and a simulator. */
public final class IntegrationConfig {

    private IntegrationConfig() {
    }

    /**
     * YAML for an isolated Rebound: its own topic prefix, application id and state directory, and a
     * short consumer session so that a killed instance leaves the group in seconds, not 45. Target
     * {@code llm} retries deterministically (3 attempts, waits 300 ms then 600 ms, no jitter) with a
     * budget large enough never to refuse and a circuit that never opens, so each request's outcome
     * follows from its script.
     */
    public static String yaml(final String bootstrap, final String prefix, final Path stateDir, final int simulatorPort,
                              final int maxInFlight) {
        return """
                kafka:
                  bootstrap.servers: %s
                  application.id: %sapp
                  state.dir: %s
                  consumer.session.timeout.ms: "6000"
                  consumer.heartbeat.interval.ms: "1000"
                topics:
                  prefix: %s
                targets:
                  provider:
                    kind: group
                  llm:
                    url: http://127.0.0.1:%d/v1/chat
                    headers: { Authorization: "Bearer %s" }
                    timeout: 5s
                    maxInFlight: %d
                    retry: { maxAttempts: 3, initialDelay: 300ms, multiplier: 2.0, maxDelay: 2s, jitter: none,
                             adaptive: { enabled: false } }
                    budget: { ratio: 1.0, minRetriesPerSecond: 100 }
                    circuit: { enabled: false }
                """.formatted(bootstrap, prefix, stateDir, prefix, simulatorPort, Configs.SECRET, maxInFlight);
    }

    /** The start of an isolated Rebound's YAML: its broker, application id, state directory and topic prefix; targets follow. */
    public static String header(final String bootstrap, final String prefix, final Path stateDir) {
        return """
                kafka:
                  bootstrap.servers: %s
                  application.id: %sapp
                  state.dir: %s
                topics:
                  prefix: %s
                """.formatted(bootstrap, prefix, stateDir, prefix);
    }

    public static ReboundConfig parse(final String yaml) {
        return Configs.parse(yaml);
    }
}
