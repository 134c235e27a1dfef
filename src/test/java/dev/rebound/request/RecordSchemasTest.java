package dev.rebound.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import dev.rebound.testkit.Schemas;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules between fields that the result and dead-letter schemas state (degraded with FALLBACK,
 * one severity per category, fallback steps only on FALLBACK_FAILED, ...) hold Rebound to what it
 * writes: a record that breaks one is rejected. {@code TerminalSchemasFlowTest} shows that every
 * record the topology really writes is accepted.
 */
class RecordSchemasTest {

    private static final Instant AT = Instant.parse("2026-11-30T12:00:00.125Z");
    private final Schema result = Schemas.load(Schemas.RESULT);
    private final Schema deadLetter = Schemas.load(Schemas.DEAD_LETTER);

    private static ObjectNode json(final Object record) {
        return (ObjectNode) Json.MAPPER.valueToTree(record);
    }

    private static ObjectNode fallbackResult() {
        return json(new AgentResult("r-1", "llm", AgentResult.FALLBACK, "static", true, Json.MAPPER.createObjectNode().put("content", "busy"),
                null, 0, new ErrorInfo("CIRCUIT_OPEN", null, "the circuit of llm is OPEN"), 3, null,
                new EffectivePolicy(2, List.of("static"), 5_000, 1_200L)));
    }

    private static ObjectNode retriesExhausted() {
        final Attempt first = new Attempt(1, AT, "llm", "RATE_LIMITED", "MEDIUM", 429, "slow down", 12, 2_000L, 2_000L);
        final Attempt second = new Attempt(2, AT.plusSeconds(2), "llm", "SERVER_ERROR", "MEDIUM", 503, "down", 9, null, null);
        return json(new DeadLetter("r-2", "llm", DeadLetterReason.RETRIES_EXHAUSTED, "SERVER_ERROR", "MEDIUM", "2 of 2 attempts used",
                List.of(first, second), Json.MAPPER.createObjectNode().put("id", "r-2"), new Source("agent-calls", 0, 7), AT, AT.plusSeconds(3),
                Json.MAPPER.createObjectNode().put("agent", "planner"), new EffectivePolicy(2, List.of(), 30_000, null), null));
    }

    private static ObjectNode fallbackFailed() {
        return json(new DeadLetter("r-3", "llm", DeadLetterReason.FALLBACK_FAILED, "SERVER_ERROR", "MEDIUM", "no fallback step could answer",
                List.of(), null, new Source("agent-calls", 1, 0), AT, AT, null, null, List.of(new FallbackFailure(1, "cache", "no response"))));
    }

    @Test
    void shouldAcceptRecordsBuiltFromReboundsOwnTypes() {
        assertThat(Schemas.errors(result, fallbackResult())).isEmpty();
        assertThat(Schemas.errors(deadLetter, retriesExhausted())).isEmpty();
        assertThat(Schemas.errors(deadLetter, fallbackFailed())).isEmpty();
        assertThat(retriesExhausted().has("fallback")).as("an empty fallback list is left out").isFalse();
    }

    @Test
    void shouldRejectAResultThatBreaksARule() {
        rejects(result, fallbackResult(), r -> r.put("degraded", false));
        rejects(result, fallbackResult(), r -> r.put("outcome", AgentResult.SUCCEEDED));
        rejects(result, fallbackResult(), r -> r.put("outcome", "DEGRADED"));
        rejects(result, fallbackResult(), r -> r.remove("httpStatus"));
        rejects(result, fallbackResult(), r -> r.put("attempts", -1));
        rejects(result, fallbackResult(), r -> r.put("id", "has space"));
        rejects(result, fallbackResult(), r -> ((ObjectNode) r.get("lastError")).put("category", "OVERLOADED"));
        rejects(result, fallbackResult(), r -> r.put("servedBy", (String) null));
        rejects(result, fallbackResult(), r -> r.put("replyTo", "agent-results-x"));
    }

    @Test
    void shouldRejectADeadLetterThatBreaksARule() {
        rejects(deadLetter, retriesExhausted(), d -> d.put("severity", "LOW"));
        rejects(deadLetter, retriesExhausted(), d -> d.putNull("severity"));
        rejects(deadLetter, retriesExhausted(), d -> d.put("reason", "GAVE_UP"));
        rejects(deadLetter, retriesExhausted(), d -> d.put("deadLetteredAt", "yesterday"));
        rejects(deadLetter, retriesExhausted(), d -> d.putNull("deadLetteredAt"));
        rejects(deadLetter, retriesExhausted(), d -> d.set("fallback", fallbackFailed().get("fallback")));
        rejects(deadLetter, retriesExhausted(), d -> ((ObjectNode) d.get("attempts").get(0)).put("severity", "CRITICAL"));
        rejects(deadLetter, retriesExhausted(), d -> ((ObjectNode) d.get("attempts").get(0)).put("attempt", 0));
        rejects(deadLetter, retriesExhausted(), d -> ((ObjectNode) d.get("attempts").get(1)).remove("waitMs"));
        rejects(deadLetter, retriesExhausted(), d -> ((ObjectNode) d.get("source")).put("partition", -1));
        rejects(deadLetter, retriesExhausted(), d -> d.put("reason", "INVALID_REQUEST"));
        rejects(deadLetter, retriesExhausted(), d -> d.put("id", "x".repeat(201)));
        rejects(deadLetter, fallbackFailed(), d -> d.set("fallback", Json.MAPPER.createArrayNode()));
        rejects(deadLetter, fallbackFailed(), d -> ((ObjectNode) d.get("fallback").get(0)).put("step", 0));
    }

    private static void rejects(final Schema schema, final ObjectNode valid, final Consumer<ObjectNode> breakIt) {
        assertThat(Schemas.errors(schema, valid)).isEmpty();
        breakIt.accept(valid);
        final JsonNode broken = valid;
        assertThat(Schemas.errors(schema, broken)).as("%s", broken).isNotEmpty();
    }
}
