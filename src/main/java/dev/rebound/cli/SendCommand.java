package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code rebound send}: produce one request, from flags or from standard input. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Produce one request to agent-calls. Give --target and --payload, or pipe a whole request JSON with --stdin.")
public final class SendCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @Option(names = "--target", description = "The target name.")
    String target;

    @Option(names = "--payload", description = "The payload JSON object.")
    String payload;

    @Option(names = "--id", description = "The request id (default: a random UUID).")
    String id;

    @Option(names = "--key", description = "The record key, e.g. a session id (default: the id).")
    String key;

    @Option(names = "--timeout-ms", description = "The request's timeoutMs.")
    Long timeoutMs;

    @Option(names = "--stdin", description = "Read the whole request JSON from standard input.")
    boolean stdin;

    @Override
    public Integer call() throws Exception {
        final byte[] value = stdin ? System.in.readAllBytes() : fromFlags();
        final ReboundConfig cfg = config.loadReachable();
        final String recordKey = key != null ? key : requestId(value);
        try (KafkaProducer<String, byte[]> producer = ConfigOption.idempotentProducer(cfg, Map.of())) {
            final String topic = new Topics(cfg.topicPrefix()).calls();
            final RecordMetadata m = producer.send(new ProducerRecord<>(topic, recordKey, value)).get();
            System.out.println("sent " + recordKey + " to " + m.topic() + "-" + m.partition() + "@" + m.offset());
        }
        return 0;
    }

    private byte[] fromFlags() throws IOException {
        if (target == null || payload == null) {
            throw new IllegalArgumentException("give --target and --payload, or --stdin with a whole request");
        }
        final JsonNode p;
        try {
            p = Json.MAPPER.readTree(payload);
        } catch (final IOException e) {
            throw new IllegalArgumentException("--payload is not valid JSON: " + e.getMessage());
        }
        final ObjectNode req = Json.MAPPER.createObjectNode();
        req.put("id", id != null ? id : UUID.randomUUID().toString());
        req.put("target", target);
        req.set("payload", p);
        if (timeoutMs != null) {
            req.put("timeoutMs", timeoutMs);
        }
        return req.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String requestId(final byte[] value) {
        try {
            final JsonNode n = Json.MAPPER.readTree(value);
            return n.path("id").isTextual() ? n.path("id").asText() : UUID.randomUUID().toString();
        } catch (final IOException e) {
            // sent as is: Rebound will dead-letter it with a message saying what is wrong
            return UUID.randomUUID().toString();
        }
    }
}
