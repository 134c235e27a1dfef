package dev.rebound.testkit;

import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;

import java.util.Map;

/** Small configurations for tests. */
public final class Configs {

    public static final String SECRET = "sk-test-SECRET-0123456789";

    private Configs() {
    }

    /** Targets {@code llm} (callable, in group {@code provider}) and {@code provider} (a group), pointing at {@code baseUrl}. */
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
                  tools:
                    url: %s/v1/chat
                    timeout: 2s
                    maxInFlight: 2
                """.formatted(baseUrl, baseUrl));
    }
}
