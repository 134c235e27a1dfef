package dev.rebound.testkit;

import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;

import java.util.Map;

/** Small configurations for tests. */
public final class Configs {

    public static final String SECRET = "sk-test-SECRET-0123456789";

    private Configs() {
    }

    /** {@code yaml} parsed as a configuration file, with no environment variables set. */
    public static ReboundConfig parse(final String yaml) {
        return new ConfigLoader(Map.<String, String>of()::get).parse(yaml);
    }

    /**
     * Targets {@code llm} (callable, in group {@code provider}; 3 attempts, waits of exactly 1s, 2s,
     * capped at 5s), {@code tools} (no retry budget at all) and {@code provider} (a group), all
     * pointing at {@code baseUrl}.
     */
    public static ReboundConfig twoTargets(final String baseUrl) {
        return new ConfigLoader(Map.of("API_KEY", SECRET)::get).parse("""
                kafka:
                  application.id: rebound-test
                limits:
                  maxPayloadBytes: 2048
                  maxRequestBytes: 8192
                targets:
                  provider:
                    kind: group
                  llm:
                    parent: provider
                    url: %s/v1/chat
                    headers: { Authorization: "Bearer ${API_KEY}" }
                    timeout: 2s
                    maxInFlight: 4
                    retry: { maxAttempts: 3, initialDelay: 1s, multiplier: 2.0, maxDelay: 5s, jitter: none }
                  tools:
                    url: %s/v1/chat
                    timeout: 2s
                    maxInFlight: 2
                    budget: { ratio: 0.0, minRetriesPerSecond: 0 }
                """.formatted(baseUrl, baseUrl));
    }
}
