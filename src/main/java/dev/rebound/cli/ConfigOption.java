package dev.rebound.cli;

import dev.rebound.admin.ClusterReach;
import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The {@code --config FILE} option shared by every command that talks to a cluster. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The Rebound configuration (YAML, with ${ENV} substitution).")
    Path file;

    /** The command this option belongs to, for the prefix of what it says while it waits. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    ReboundConfig load() {
        return new ConfigLoader(System::getenv).load(file);
    }

    /**
     * The configuration, once a broker of its {@code kafka.bootstrap.servers} answers: every
     * command that talks to the cluster starts here, so that a wrong address or refused
     * credentials are said in one line naming the setting, and end the command (exit 1) after
     * {@code startup.timeout} instead of a client warning per second for ever.
     */
    ReboundConfig loadReachable() throws InterruptedException {
        final ReboundConfig config = load();
        awaitCluster(config);
        return config;
    }

    /** {@link #loadReachable()} for a command that checks its own arguments against the configuration first. */
    void awaitCluster(final ReboundConfig config) throws InterruptedException {
        final PrintWriter err = command.commandLine().getErr();
        new ClusterReach(clientProperties(config), file.toString()).await(config.startup().timeout(), line -> {
            err.println(command.qualifiedName(" ") + ": " + line);
            err.flush();
        });
    }

    /** A producer that writes each record once and waits for every in-sync replica (idempotent, acks=all). */
    static KafkaProducer<String, byte[]> idempotentProducer(final ReboundConfig config, final Map<String, Object> extra) {
        final Map<String, Object> props = clientProperties(config);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
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
