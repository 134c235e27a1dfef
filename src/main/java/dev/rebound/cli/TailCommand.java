package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rebound tail}: follow an output topic, as a read_committed consumer sees it. */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Follow results, dead-letters or circuits.")
public final class TailCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "results, dead-letters or circuits")
    String which;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of the newest.")
    boolean fromBeginning;

    @Option(names = "--json", description = "Print each record as one line of JSON instead of pretty-printed.")
    boolean json;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records (0: follow forever).")
    long max;

    @Override
    public Integer call() throws Exception {
        final ReboundConfig cfg = config.load();
        final Topics topics = new Topics(cfg.topicPrefix());
        final String topic = switch (which) {
            case "results" -> topics.results();
            case "dead-letters" -> topics.deadLetters();
            case "circuits" -> topics.circuits();
            default -> throw new IllegalArgumentException("TOPIC must be results, dead-letters or circuits, was '" + which + "'");
        };
        config.awaitCluster(cfg);
        final Map<String, Object> props = ConfigOption.clientProperties(cfg);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long printed = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            if (fromBeginning) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            // a seek is lazy: resolve it now, so that every record written after the line below is shown
            parts.forEach(consumer::position);
            System.err.println("following " + topic + (fromBeginning ? " from its beginning" : " from now on")
                    + " (read_committed" + (max == 0 ? "; Ctrl-C to stop)" : "; until " + max + " record(s))"));
            while (max == 0 || printed < max) {
                for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(render(r));
                    if (max != 0 && ++printed >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    private String render(final ConsumerRecord<String, byte[]> r) {
        final String text = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
        if (json) {
            return text;
        }
        try {
            final JsonNode n = Json.MAPPER.readTree(text);
            return "── " + r.key() + "  (" + r.topic() + "-" + r.partition() + "@" + r.offset() + ")\n"
                    + Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (final IOException e) {
            return text;
        }
    }
}
