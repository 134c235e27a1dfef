package dev.rebound.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rebound.config.RetrySettings;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One topic's spec from {@code topics/NAME.yaml}: partitions, replication, topic configs.
 *
 * @param replicationFactor empty for the broker's {@code default.replication.factor}
 */
public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> config) {

    /**
     * Every spec shipped with Rebound, read from the classpath ({@code topics/} at the repo root),
     * with one delay-tier topic per entry of {@code tiers}, made from the {@code agent-calls-retry}
     * template with the partition count of {@code agent-calls}.
     */
    public static List<TopicSpec> shipped(final List<Duration> tiers) {
        final List<TopicSpec> specs = new ArrayList<>();
        for (final String name : Topics.ALL) {
            specs.add(read(name));
        }
        final TopicSpec template = read(Topics.RETRY);
        final int callsPartitions = specs.get(0).partitions();
        for (final Duration tier : tiers) {
            specs.add(new TopicSpec(Topics.RETRY + "-" + RetrySettings.tierName(tier), callsPartitions,
                    template.replicationFactor(), template.config()));
        }
        return specs;
    }

    private static TopicSpec read(final String name) {
        try (InputStream in = TopicSpec.class.getResourceAsStream("/topics/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("topic spec topics/" + name + ".yaml is missing from the build");
            }
            return parse(new YAMLMapper().readTree(in));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read topics/" + name + ".yaml", e);
        }
    }

    /**
     * Every shipped topic under {@code prefix}, the keyed (non-compacted) ones with
     * {@code partitions} partitions: for the embedded broker of the demo, the bench and tests.
     */
    public static List<NewTopic> newTopics(final String prefix, final int partitions, final List<Duration> tiers) {
        final List<NewTopic> out = new ArrayList<>();
        for (final TopicSpec spec : shipped(tiers)) {
            final boolean compacted = spec.config().getOrDefault("cleanup.policy", "delete").contains("compact");
            out.add(spec.toNewTopic(prefix, compacted ? Optional.empty() : Optional.of(partitions)));
        }
        return out;
    }

    /**
     * How an existing topic differs from this spec, in words ("partitions 3, spec 6"); empty when
     * it matches. Only the settings the spec names are compared.
     *
     * @param partitions the topic's partition count
     * @param configs    the topic's configuration values
     * @param expectedPartitions the partition count it should have (the spec's, or an override)
     */
    public List<String> differences(final int partitions, final Map<String, String> configs, final int expectedPartitions) {
        final List<String> out = new ArrayList<>();
        if (partitions != expectedPartitions) {
            out.add("partitions " + partitions + ", spec " + expectedPartitions);
        }
        config.forEach((k, v) -> {
            final String actual = configs.get(k);
            if (!v.equals(actual)) {
                out.add(k + " " + actual + ", spec " + v);
            }
        });
        return out;
    }

    static TopicSpec parse(final JsonNode n) {
        final Map<String, String> config = new LinkedHashMap<>();
        n.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        final Optional<Short> rf = n.hasNonNull("replicationFactor")
                ? Optional.of((short) n.get("replicationFactor").asInt()) : Optional.empty();
        return new TopicSpec(n.path("name").asText(), n.path("partitions").asInt(1), rf, config);
    }

    /** The topic to create, under {@code prefix}; {@code partitions} overrides the spec when present. */
    public NewTopic toNewTopic(final String prefix, final Optional<Integer> partitions) {
        return new NewTopic(prefix + name, partitions.or(() -> Optional.of(this.partitions)), replicationFactor).configs(config);
    }
}
