package dev.rebound.topology;

import dev.rebound.config.ReboundConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka Streams properties: Rebound's defaults first, then the {@code kafka:} section of the
 * configuration, which wins on every key.
 */
public final class StreamsSettings {

    /** The dead-letter topic, handed to {@link ProcessingErrorHandler} through the streams config. */
    static final String DEAD_LETTER_TOPIC = "rebound.dead.letter.topic";

    private StreamsSettings() {
    }

    public static Properties of(final ReboundConfig config) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "rebound");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // EOS default; stated so that reading this file tells the whole story
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        // the stream thread blocks in poll() for up to poll.ms when idle, which delays wall-clock
        // punctuation and so the hand-over of finished calls; 10 ms keeps that delay small
        p.put(StreamsConfig.POLL_MS_CONFIG, "10");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // circuit decisions cross two topics (outcomes, then agent-circuits) read with read_committed;
        // an idle fetch waits up to fetch.max.wait.ms for a commit it could have had at once, so the
        // 500 ms default would add up to a second to every circuit's propagation
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        // agent-calls and the delay tiers feed one task but need no ordering between them by
        // timestamp; -1 lets a task process what it has instead of waiting on its empty inputs
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ProcessingErrorHandler.class.getName());
        p.put("processing.exception.handler.global.enabled", "true");
        p.put(DEAD_LETTER_TOPIC, new Topics(config.topicPrefix()).deadLetters());
        p.putAll(config.kafka());
        return p;
    }

    /**
     * The {@code application.server} that tells the other instances where this one's ops endpoint
     * answers, so that {@code GET /requests/{key}/{id}} can be asked of any instance and forwarded
     * to the one that owns the key ({@code rebound request}). Empty when the {@code kafka:} section
     * sets it already (behind a proxy or NAT only the operator knows the address others reach).
     * An endpoint bound to every address is advertised under this host's name.
     *
     * @param bind the ops endpoint's address ({@code ops.bind})
     * @param port the port it listens on: the bound one, which differs from {@code ops.port: 0}
     */
    public static Map<String, String> opsServer(final ReboundConfig config, final String bind, final int port) {
        if (config.kafka().containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG)) {
            return Map.of();
        }
        String host = bind;
        if (bind.equals("0.0.0.0") || bind.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (final UnknownHostException e) {
                host = "127.0.0.1";
            }
        }
        // host:port, with an IPv6 literal in brackets as HostInfo.buildFromEndpoint expects
        return Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }
}
