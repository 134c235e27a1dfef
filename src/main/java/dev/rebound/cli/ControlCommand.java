package dev.rebound.cli;

import dev.rebound.circuit.ControlRecord;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.Json;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rebound control disable|enable TARGET}: the kill switch, on the compacted agent-control topic. */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = "Disable or enable a target for the whole application (children of a group included).",
        subcommands = {ControlCommand.Disable.class, ControlCommand.Enable.class})
public final class ControlCommand {

    @Mixin
    VerboseOption verbose;

    static int write(final ConfigOption config, final String target, final boolean disabled, final String reason) throws Exception {
        final ReboundConfig cfg = config.load();
        if (cfg.target(target).isEmpty()) {
            throw new IllegalArgumentException("'" + target + "' is not a configured target; configured: " + cfg.targets().keySet());
        }
        config.awaitCluster(cfg);
        final ControlRecord record = new ControlRecord(disabled, reason, Instant.now(), System.getProperty("user.name"));
        try (KafkaProducer<String, byte[]> producer = ConfigOption.idempotentProducer(cfg, Map.of())) {
            producer.send(new ProducerRecord<>(new Topics(cfg.topicPrefix()).control(), target, Json.bytes(record))).get();
        }
        System.out.println((disabled ? "disabled " : "enabled ") + target + (reason == null ? "" : " (" + reason + ")"));
        return 0;
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stop every call to TARGET: its requests wait in the delay path until it is enabled or their deadline passes.")
    static final class Disable implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "TARGET")
        String target;

        @Option(names = "--reason", required = true, description = "Why, for the audit trail and the dead letters.")
        String reason;

        @Override
        public Integer call() throws Exception {
            return write(config, target, true, reason);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let calls to TARGET flow again.")
    static final class Enable implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "TARGET")
        String target;

        @Option(names = "--reason", description = "Why, for the audit trail.")
        String reason;

        @Override
        public Integer call() throws Exception {
            return write(config, target, false, reason);
        }
    }
}
