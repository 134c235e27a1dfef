package dev.rebound.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.request.AgentResult;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code agent-results} and {@code agent-dead-letters} with {@code read_committed}, as a
 * downstream consumer would, and counts terminal records per request key. This is the evidence
 * for "exactly one terminal record per request": lost and duplicated are counted here, from the
 * topics, never from Rebound's own bookkeeping. Records replayed from the dedup store (marked
 * with a header) are answers to repeated requests, not duplicates, and are counted apart.
 */
public final class TerminalCounter implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String resultsTopic;
    private final Map<String, Integer> perKey = new HashMap<>();
    private final Map<String, JsonNode> lastPerKey = new HashMap<>();
    private final Map<String, Long> outcomes = new TreeMap<>();
    private final Map<String, Long> reasons = new TreeMap<>();
    private final Map<String, Long> servedBy = new TreeMap<>();
    private final List<RampShares.Decision> decisions = new ArrayList<>();
    private long dedupReplays;

    public TerminalCounter(final String bootstrap, final String resultsTopic, final String deadLettersTopic) {
        this.resultsTopic = resultsTopic;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> parts = new ArrayList<>();
        for (final String topic : List.of(resultsTopic, deadLettersTopic)) {
            consumer.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Reads what is there now (waiting up to {@code wait}); returns how many records arrived. */
    public int poll(final Duration wait) {
        int n = 0;
        for (final ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            n++;
            if (r.headers().lastHeader(Topics.DEDUP_REPLAY_HEADER) != null) {
                dedupReplays++;
                continue;
            }
            perKey.merge(r.key() == null ? "(null key)" : r.key(), 1, Integer::sum);
            final JsonNode v = read(r.value());
            final String reason = v.path("reason").asText();
            if (v.hasNonNull("id") && !DeadLetterReason.INVALID_REQUEST.name().equals(reason) && !DeadLetterReason.UNKNOWN_TARGET.name().equals(reason)) {
                // a request answered by a fallback because its target did not admit it was never called
                final boolean refused = AgentResult.FALLBACK.equals(v.path("outcome").asText())
                        && ErrorCategory.CIRCUIT_OPEN.name().equals(v.path("lastError").path("category").asText());
                decisions.add(new RampShares.Decision(Instant.ofEpochMilli(r.timestamp()), !refused));
            }
            lastPerKey.put(r.key(), v);
            if (r.topic().equals(resultsTopic)) {
                outcomes.merge(v.path("outcome").asText("SUCCEEDED"), 1L, Long::sum);
                if (AgentResult.FALLBACK.equals(v.path("outcome").asText())) {
                    servedBy.merge(v.path("servedBy").asText("?"), 1L, Long::sum);
                }
            } else {
                outcomes.merge("DEAD_LETTER", 1L, Long::sum);
                reasons.merge(v.path("reason").asText("?"), 1L, Long::sum);
            }
        }
        return n;
    }

    /**
     * Reads until this consumer has reached the end of every partition as it is now (for
     * {@code read_committed}, the last stable offset: nothing still in an open transaction), or
     * until {@code timeout} passes; returns whether it got there.
     */
    public boolean readToEnd(final Duration timeout) {
        final long until = System.nanoTime() + timeout.toNanos();
        final Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), timeout);
        while (true) {
            final boolean there = ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            if (there || System.nanoTime() > until) {
                return there;
            }
            poll(Duration.ofMillis(200));
        }
    }

    /** Distinct keys with at least one terminal record. */
    public int terminalKeys() {
        return perKey.size();
    }

    /** Keys with more than one terminal record. */
    public long duplicated() {
        return perKey.values().stream().filter(c -> c > 1).count();
    }

    public boolean has(final String key) {
        return perKey.containsKey(key);
    }

    /** The latest terminal record for {@code key}: a result, or a dead letter (it has a {@code reason}). */
    public JsonNode last(final String key) {
        return lastPerKey.get(key);
    }

    public long outcome(final String name) {
        return outcomes.getOrDefault(name, 0L);
    }

    public Map<String, Long> reasons() {
        return Map.copyOf(reasons);
    }

    /**
     * Every valid request's admission as seen from its terminal record: refused when a fallback
     * answered it because its target (circuit, health, ramp) did not admit it; else admitted.
     */
    public List<RampShares.Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** {@code FALLBACK} results by the step that served them. */
    public Map<String, Long> servedBy() {
        return Map.copyOf(servedBy);
    }

    public long dedupReplays() {
        return dedupReplays;
    }

    private static JsonNode read(final byte[] value) {
        try {
            return value == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(value);
        } catch (final IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
