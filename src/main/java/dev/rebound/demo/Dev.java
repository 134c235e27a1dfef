package dev.rebound.demo;

import dev.rebound.sim.SimScenario;
import org.apache.kafka.streams.KafkaStreams;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code rebound dev}: an {@link EmbeddedRebound} that stays up until Ctrl-C, with a configuration
 * file for every other command ({@code send}, {@code tail}, {@code control}, {@code dlq},
 * {@code status}), so that a newcomer can try them without Docker.
 *
 * <p>One per user and machine ({@link DevInstance}): a second one says where the first is and
 * exits, instead of starting a broker and fighting over the ports. The log goes to a file beside
 * the configuration ({@link #logFile}, chosen by the command line), so that the terminal keeps the
 * few lines that say what to do. Ctrl-C (or
 * SIGTERM) stops the processor first, so that it commits and leaves its group while the broker is
 * still up, then the simulator and the broker, and removes the configuration file, whose broker
 * address would no longer answer.
 */
public final class Dev {

    /** The ops endpoint's port when it is free: {@code rebound status}'s default. */
    public static final int OPS_PORT = 8079;
    /** The simulator's port when it is free: {@code rebound simulate}'s default. */
    public static final int SIMULATOR_PORT = 8090;
    /** How long a shutdown (Ctrl-C) may take before the JVM stops anyway. */
    private static final Duration STOP_WITHIN = Duration.ofSeconds(60);

    /**
     * @param scenario   the simulator's scenario at start ({@link SimScenario#NAMES})
     * @param partitions partitions of {@code agent-calls}
     * @param configOut  where to write the configuration of this instance
     * @param fallback   whether {@code sim-chat} has the demo's fallback chain
     */
    public record Options(String scenario, int partitions, Path configOut, boolean fallback) {
        public Options {
            SimScenario.named(scenario);
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
            }
        }
    }

    private Dev() {
    }

    /**
     * Runs until the JVM is asked to stop; returns 1 if the processor stops by itself first.
     *
     * @param log where the log goes, for the lines that point to it: the file the caller chose
     *            ({@link #logFile}), or the console
     */
    public static int run(final Options o, final PrintStream out, final String log) throws Exception {
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                // the JVM halts when the hooks return: wait until everything is closed
                stopped.await(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rebound-dev-stop");
        try (DevInstance instance = DevInstance.acquire()) {
            out.println("Rebound dev: an embedded broker, the simulated endpoint and the processor, until Ctrl-C");
            out.println("  logs: " + log);
            Runtime.getRuntime().addShutdownHook(hook);
            return runUntilStopped(o, out, instance, log, stop);
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException | IllegalArgumentException shuttingDownOrNeverAdded) {
                // nothing to undo
            }
        }
    }

    private static int runUntilStopped(final Options o, final PrintStream out, final DevInstance instance, final String log,
                                       final CountDownLatch stop) throws Exception {
        final EmbeddedRebound stack;
        try {
            stack = EmbeddedRebound.start(new EmbeddedRebound.Options("rebound-dev", SimScenario.named(o.scenario()), o.partitions(),
                    true, o.fallback(), SIMULATOR_PORT, OPS_PORT), out);
        } catch (final Exception e) {
            throw new IllegalStateException("could not start (" + e.getMessage() + "); the log is " + log, e);
        }
        int code = 0;
        try {
            Files.writeString(o.configOut(), "# Written by `rebound dev` for the commands run against it; removed when it stops.\n"
                    + stack.configYaml());
            instance.publish(new DevInstance.Info(ProcessHandle.current().pid(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    o.configOut().toString(), stack.opsUrl(), stack.sim().url(""), log));
            out.print(banner(stack, o.configOut(), log));
            out.flush();
            while (!stop.await(1, TimeUnit.SECONDS)) {
                final KafkaStreams.State state = stack.processor().streams().state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                    out.println("  the processor stopped by itself (Kafka Streams is " + state + "); see " + log);
                    code = 1;
                    break;
                }
            }
            out.println();
            out.println("  stopping: the processor first, then the simulator and the broker ...");
        } finally {
            try {
                stack.close();
            } finally {
                Files.deleteIfExists(o.configOut());
            }
        }
        out.println("  stopped; " + o.configOut() + " removed. The log is " + log);
        return code;
    }

    /** What is where, and five commands to try next, each ready to paste. */
    static String banner(final EmbeddedRebound stack, final Path configOut, final String log) {
        final String config = shellWord(configOut.toString());
        final String sim = stack.sim().url("");
        final StringBuilder b = new StringBuilder();
        b.append("\n  Ready. Every command below reads ").append(config).append(" (this broker's address, the targets, the ops port).\n");
        b.append("    ops endpoint   ").append(stack.opsUrl()).append("  (/metrics, /circuits, /health/ready)\n");
        b.append("    simulator      ").append(sim).append("  scenario '").append(stack.sim().scenario().name()).append("': ")
                .append(stack.sim().scenario().describe()).append('\n');
        b.append("                   switch it: ./rebound simulate-set --scenario outage  (or POST ").append(sim)
                .append("/scenario {\"scenario\":\"outage\"})\n");
        b.append("    targets        ").append(String.join(", ", stack.config().targets().keySet().stream().sorted().toList()))
                .append("  (sim-chat calls the simulator)\n");
        b.append("    logs           ").append(log).append("\n\n");
        b.append("  Try next, in another terminal:\n");
        for (final String command : tryNext(config)) {
            b.append("    ").append(command).append('\n');
        }
        b.append("\n  Ctrl-C stops everything: the processor first, then the broker.\n");
        return b.toString();
    }

    /** The five commands the banner suggests, against the configuration at {@code config} (a shell word). */
    static List<String> tryNext(final String config) {
        return List.of(
                "./rebound tail results --config " + config,
                "./rebound send --config " + config + " --target sim-chat --payload '{\"q\":\"hi\"}'",
                "./rebound control disable sim-chat --reason test --config " + config,
                "./rebound dlq list --config " + config,
                "./rebound status --config " + config);
    }

    /** {@code rebound-dev.yaml} logs to {@code rebound-dev.log} beside it. */
    public static Path logFile(final Path configOut) {
        final String name = configOut.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        return configOut.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".log");
    }

    /** {@code text} as one shell word: as is when it is plain, else in single quotes. */
    private static String shellWord(final String text) {
        return text.matches("[A-Za-z0-9._/:=@%+-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }
}
