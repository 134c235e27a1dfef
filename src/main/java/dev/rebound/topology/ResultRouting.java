package dev.rebound.topology;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TopicNameExtractor;

import java.util.Optional;

/**
 * Sends a result to its request's reply topic ({@code replyTo}, DESIGN §2) instead of the results
 * topic. The topic travels with the forwarded value ({@link Addressed}) rather than in a header:
 * the sink's {@link TopicNameExtractor} reads it and the sink's serializer writes only the record's
 * bytes, so nothing of the routing reaches the topic, and the choice is part of the same record
 * that the task's transaction commits, exactly once like any other output. The reply topic was
 * checked against {@code results.replyTopics} at the door, and must exist (created with
 * {@code rebound topics create --reply-topic}).
 */
final class ResultRouting {

    /** A result's bytes and the topic they go to. */
    record Addressed(String topic, byte[] value) {
    }

    private ResultRouting() {
    }

    /** The value to forward to the results sink: {@code value} itself, or addressed to {@code replyTo}. */
    static Object address(final byte[] value, final Optional<String> replyTo) {
        return replyTo.<Object>map(topic -> new Addressed(topic, value)).orElse(value);
    }

    /** The results sink's topic: a value's reply topic, else {@code results}. */
    static TopicNameExtractor<String, Object> topic(final String results) {
        return (key, value, context) -> value instanceof Addressed a ? a.topic() : results;
    }

    /** The results sink's value serializer: the record's bytes, addressed or not. */
    static Serializer<Object> bytes() {
        return (topic, value) -> value instanceof Addressed a ? a.value() : (byte[]) value;
    }
}
