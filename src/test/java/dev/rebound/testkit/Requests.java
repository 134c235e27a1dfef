package dev.rebound.testkit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Produces request records to a real broker. */
public final class Requests implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public Requests(final String bootstrap, final String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    public void send(final String key, final String json) {
        producer.send(new ProducerRecord<>(topic, key, json == null ? null : json.getBytes(StandardCharsets.UTF_8)));
    }

    public void send(final int partition, final String key, final String json) {
        producer.send(new ProducerRecord<>(topic, partition, key, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** A request to {@code target} whose fate the simulator reads from {@code simulate} (may be empty). */
    public static String scripted(final String id, final String target, final String simulate) {
        return scripted(id, target, simulate, 120_000);
    }

    public static String scripted(final String id, final String target, final String simulate, final long timeoutMs) {
        return "{\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"timeoutMs\":" + timeoutMs + ",\"payload\":{\"q\":\"" + id + "\""
                + (simulate.isEmpty() ? "" : ",\"simulate\":" + simulate) + "}}";
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
