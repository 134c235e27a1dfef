package dev.rebound;

import dev.rebound.cli.ConsoleLogs;
import dev.rebound.cli.ControlCommand;
import dev.rebound.cli.BenchCommand;
import dev.rebound.cli.DemoCommand;
import dev.rebound.cli.DevCommand;
import dev.rebound.cli.DlqCommand;
import dev.rebound.cli.RequestCommand;
import dev.rebound.cli.RunCommand;
import dev.rebound.cli.SendCommand;
import dev.rebound.cli.SimulateCommand;
import dev.rebound.cli.SimulateSetCommand;
import dev.rebound.cli.StatusCommand;
import dev.rebound.cli.TailCommand;
import dev.rebound.cli.TopicsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rebound} command: parses the command line and runs one subcommand. */
@Command(name = "rebound", mixinStandardHelpOptions = true, version = "rebound 0.1.0",
        description = "Durable, resilient execution of AI agent calls on Kafka Streams.",
        subcommands = {DemoCommand.class, DevCommand.class, BenchCommand.class, RunCommand.class, SimulateCommand.class,
                SimulateSetCommand.class, TopicsCommand.class,
                SendCommand.class, TailCommand.class, StatusCommand.class, RequestCommand.class, DlqCommand.class, ControlCommand.class})
public final class Rebound {

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Rebound's error handling (a bad argument is exit code 2, a failure 1) and
     * its logging chosen per command ({@link ConsoleLogs}).
     */
    public static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(new Rebound());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --log-format json
        ConsoleLogs.install(cl);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // "rebound dlq list: ...", not "rebound list: ..."
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName(" ") + ": " + ex.getMessage());
            return 1;
        });
        return cl;
    }
}
