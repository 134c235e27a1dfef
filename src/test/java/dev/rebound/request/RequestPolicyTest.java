package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.testkit.Configs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request's {@code policy} at the door: each field at, below and above the bound its target's
 * configuration sets, fallback steps by index and by name; and what the lifecycle reads from an
 * accepted policy.
 */
class RequestPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final ReboundConfig CONFIG = Configs.parse("""
            targets:
              llm:
                url: http://127.0.0.1:1/llm
                timeout: 5s
                retry: { maxAttempts: 3 }
                fallback:
                  - { on: [CONTEXT_TOO_LONG], target: backup }
                  - { target: backup }
                  - { cache: { ttl: 1m } }
                  - { static: { content: "busy" } }
              backup:
                url: http://127.0.0.1:1/backup
              bare:
                url: http://127.0.0.1:1/bare
            """);
    private static final TargetConfig LLM = CONFIG.target("llm").orElseThrow();
    private final RequestParser parser = new RequestParser(CONFIG.targets(), CONFIG.limits());

    private ParseResult parse(final String target, final String policy) {
        final String json = "{\"id\":\"a\",\"target\":\"" + target + "\",\"payload\":{},\"policy\":" + policy + "}";
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"maxAttempts\":1}                   | llm",
            "{\"maxAttempts\":2}                   | llm",
            "{\"maxAttempts\":3}                   | llm",
            "{\"timeoutMs\":1}                     | llm",
            "{\"timeoutMs\":4999}                  | llm",
            "{\"timeoutMs\":5000}                  | llm",
            "{\"fallback\":false}                  | llm",
            "{\"fallback\":true}                   | llm",
            "{\"fallback\":[1]}                    | llm",
            "{\"fallback\":[4]}                    | llm",
            "{\"fallback\":[4,2,2]}                | llm",
            "{\"fallback\":[\"cache\"]}            | llm",
            "{\"fallback\":[\"static\",1]}         | llm",
            "{\"fallback\":null,\"maxAttempts\":null,\"timeoutMs\":null,\"tokens\":null} | llm",
            "{\"maxAttempts\":3,\"fallback\":[2],\"timeoutMs\":5000,\"tokens\":1200}    | llm",
            "{\"fallback\":false}                  | bare",
            "{\"fallback\":true}                   | bare",
            "{\"maxAttempts\":3}                   | bare",
            "{\"timeoutMs\":30000}                 | bare"})
    void shouldAcceptAPolicyWithinItsTargetsBounds(final String policy, final String target) {
        assertThat(parse(target, policy)).isInstanceOf(ParseResult.Valid.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // above the target's bound: names the field, the value and the bound
            "{\"maxAttempts\":4}        | llm  | 'policy.maxAttempts' 4 is more than target 'llm' allows (retry.maxAttempts 3); a policy may only narrow the target's",
            "{\"maxAttempts\":4}        | bare | 'policy.maxAttempts' 4 is more than target 'bare' allows (retry.maxAttempts 3); a policy may only narrow",
            "{\"timeoutMs\":5001}       | llm  | 'policy.timeoutMs' 5001 is more than target 'llm' allows (timeout 5000 ms); a policy may only narrow",
            "{\"timeoutMs\":30001}      | bare | 'policy.timeoutMs' 30001 is more than target 'bare' allows (timeout 30000 ms)",
            // below every bound, or the wrong type
            "{\"maxAttempts\":0}        | llm  | 'policy.maxAttempts' must be a whole number (the most attempts of the target, at least 1), was 0",
            "{\"maxAttempts\":-1}       | llm  | 'policy.maxAttempts' must be a whole number",
            "{\"maxAttempts\":2.0}      | llm  | 'policy.maxAttempts' must be a whole number",
            "{\"maxAttempts\":\"2\"}    | llm  | 'policy.maxAttempts' must be a whole number",
            "{\"maxAttempts\":99999999999} | llm | 'policy.maxAttempts' must be a whole number",
            "{\"timeoutMs\":0}          | llm  | 'policy.timeoutMs' must be a whole number (the per-attempt timeout in milliseconds, at least 1), was 0",
            "{\"timeoutMs\":true}       | llm  | 'policy.timeoutMs' must be a whole number",
            "{\"tokens\":0}             | llm  | 'policy.tokens' must be a whole number between 1 and 100000000",
            // fallback steps that do not exist, or are not one step
            "{\"fallback\":[5]}         | llm  | 'policy.fallback' 5 is no fallback step of target 'llm' (its steps: 1 backup, 2 backup, 3 cache, 4 static); a policy may only narrow",
            "{\"fallback\":[0]}         | llm  | 'policy.fallback' 0 is no fallback step of target 'llm'",
            "{\"fallback\":[-1]}        | llm  | 'policy.fallback' -1 is no fallback step of target 'llm'",
            "{\"fallback\":[\"nope\"]}  | llm  | 'policy.fallback' \"nope\" is no fallback step of target 'llm' (its steps: 1 backup, 2 backup, 3 cache, 4 static)",
            "{\"fallback\":[\"Static\"]} | llm | 'policy.fallback' \"Static\" is no fallback step",
            "{\"fallback\":[\"backup\"]} | llm | 'policy.fallback' \"backup\" names more than one step of target 'llm' (its steps: 1 backup, 2 backup, 3 cache, 4 static); give it by index",
            "{\"fallback\":[1,\"nope\"]} | llm | 'policy.fallback' \"nope\" is no fallback step",
            "{\"fallback\":[1]}         | bare | 'policy.fallback' 1 is no fallback step of target 'bare' (it has no fallback steps)",
            "{\"fallback\":[\"static\"]} | bare | 'policy.fallback' \"static\" is no fallback step of target 'bare' (it has no fallback steps)",
            // the wrong shape
            "{\"fallback\":[]}          | llm  | 'policy.fallback' must be false (no fallback), true (the configured chain) or a non-empty list of its steps",
            "{\"fallback\":\"static\"}  | llm  | 'policy.fallback' must be false (no fallback), true (the configured chain) or a non-empty list of its steps, each by 1-based index or by name (e.g. [1, \"static\"]), was a string",
            "{\"fallback\":0}           | llm  | 'policy.fallback' must be false",
            "{\"fallback\":{}}          | llm  | 'policy.fallback' must be false",
            "{\"fallback\":[true]}      | llm  | 'policy.fallback' lists steps by 1-based index or by name (target, \"cache\" or \"static\"), not a boolean: true",
            "{\"fallback\":[1.0]}       | llm  | 'policy.fallback' lists steps by 1-based index or by name",
            "{\"fallback\":[null]}      | llm  | 'policy.fallback' lists steps by 1-based index or by name",
            "{\"fallback\":[[1]]}       | llm  | 'policy.fallback' lists steps by 1-based index or by name",
            "{\"retries\":2}            | llm  | 'policy.retries' is not supported; a policy has only [fallback, maxAttempts, timeoutMs, tokens]",
            "{\"retries\":2,\"url\":1}  | llm  | 'policy.retries', 'policy.url' are not supported",
            "[]                         | llm  | 'policy' must be a JSON object"})
    void shouldRejectAPolicyThatWouldWidenItsTargetNamingFieldValueAndBound(final String policy, final String target, final String message) {
        final ParseResult r = parse(target, policy);
        assertThat(r).isInstanceOf(ParseResult.Rejected.class);
        final ParseResult.Rejected rejected = (ParseResult.Rejected) r;
        assertThat(rejected.reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        assertThat(rejected.message()).startsWith(message);
        assertThat(rejected.id()).isEqualTo("a");
    }

    @Test
    void shouldRejectAWrongShapeAsInvalidEvenForAnUnknownTarget() {
        // the shape is the same for every target; bounds need one, so an unknown target's policy is only checked for shape
        final ParseResult.Rejected shape = (ParseResult.Rejected) parse("nope", "{\"maxAttempts\":0}");
        assertThat(shape.reason()).isEqualTo(DeadLetterReason.INVALID_REQUEST);
        final ParseResult.Rejected unknown = (ParseResult.Rejected) parse("nope", "{\"maxAttempts\":99}");
        assertThat(unknown.reason()).isEqualTo(DeadLetterReason.UNKNOWN_TARGET);
    }

    @Test
    void shouldReadTheEffectivePolicyOfARequestThatNarrowsEveryField() {
        final ParseResult.Valid v = (ParseResult.Valid) parse("llm", "{\"maxAttempts\":2,\"fallback\":[\"static\",2],\"timeoutMs\":1500,\"tokens\":9}");
        final RequestPolicy policy = RequestPolicy.of(v.request().original().get("policy"), LLM);
        assertThat(policy.allowsStep(1)).isFalse();
        assertThat(policy.allowsStep(2)).isTrue();
        assertThat(policy.allowsStep(3)).isFalse();
        assertThat(policy.allowsStep(4)).isTrue();
        assertThat(policy.capTimeout(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(1500));
        assertThat(policy.capTimeout(Duration.ofSeconds(1))).as("a shorter fallback target keeps its own").isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.effective(LLM)).as("the chain's order kept").isEqualTo(new EffectivePolicy(2, List.of("backup", "static"), 1500, 9L));
    }

    @Test
    void shouldReadTheTargetsPolicyWhenTheRequestNarrowsNothing() {
        assertThat(RequestPolicy.of(null, LLM).effective(LLM)).isEqualTo(new EffectivePolicy(3, List.of("backup", "backup", "cache", "static"), 5000, null));
        assertThat(RequestPolicy.of(Json.MAPPER.createObjectNode().put("fallback", true), LLM).effective(LLM).fallback()).hasSize(4);
        assertThat(RequestPolicy.of(Json.MAPPER.createObjectNode().put("fallback", false), LLM).effective(LLM).fallback()).isEmpty();
    }

    @Test
    void shouldNarrowAgainAPolicyTheConfigurationNoLongerAllows() {
        // accepted under llm (3 attempts, 4 steps, 5 s), read under a configuration that has less since a restart
        final TargetConfig smaller = Configs.parse("""
                targets:
                  llm:
                    url: http://127.0.0.1:1/llm
                    timeout: 1s
                    retry: { maxAttempts: 2 }
                    fallback:
                      - { static: { content: "busy" } }
                      - { static: { content: "later" } }
                """).target("llm").orElseThrow();
        final EffectivePolicy effective = RequestPolicy.of(Json.read("{\"maxAttempts\":3,\"fallback\":[4,\"static\",2],\"timeoutMs\":5000}"
                .getBytes(StandardCharsets.UTF_8), JsonNode.class),
                smaller).effective(smaller);
        assertThat(effective).isEqualTo(new EffectivePolicy(2, List.of("static"), 1000, null));
    }
}
