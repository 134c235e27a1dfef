package dev.rebound.cli;

import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code --config FILE} option shared by every command that talks to a cluster. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The Rebound configuration (YAML, with ${ENV} substitution).")
    Path file;

    ReboundConfig load() {
        return new ConfigLoader(System::getenv).load(file);
    }

    /**
     * The {@code kafka:} properties for a plain client (producer, consumer, admin): connection and
     * security settings pass through; the Kafka Streams-only keys are left out so that clients do
     * not warn about them.
     */
    static Map<String, Object> clientProperties(final ReboundConfig config) {
        final Map<String, Object> props = new HashMap<>(config.kafka());
        props.keySet().removeIf(k -> k.startsWith("application.") || k.startsWith("processing.") || k.startsWith("commit.")
                || k.startsWith("state.") || k.startsWith("consumer.") || k.startsWith("producer.") || k.startsWith("num.stream"));
        return props;
    }
}
