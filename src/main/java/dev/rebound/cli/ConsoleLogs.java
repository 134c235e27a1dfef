package dev.rebound.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.rebound.demo.Dev;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Where the log goes, chosen once per command before it runs: a quiet console for the commands a
 * person types, the console for the service.
 *
 * <p>Every command but {@code run} keeps the console for its own lines (progress, summary, errors
 * that need a person) and sends the whole log, Kafka's, the embedded broker's and Rebound's own, to
 * a file ({@code logback-quiet.xml}): Kafka's clients warn about things a user of the demo need not
 * watch ({@code CONCURRENT_TRANSACTIONS}, metadata, state directories), and would bury the progress
 * line. The file is
 * <ul>
 *   <li>{@code rebound dev}: beside its configuration file ({@link Dev#logFile}), as before;</li>
 *   <li>every other command: {@code rebound-<command>-<pid>.log} in {@code java.io.tmpdir}, the pid
 *       so that two commands at once never write one file. The demo and the bench print its path
 *       at the start; a client command ({@code send}, {@code tail}, ...) rarely logs anything, so
 *       it removes an empty file at the end and names a non-empty one on standard error then.</li>
 * </ul>
 * Rebound's own ERROR lines still reach standard error in the client commands (they run no
 * processor, so an ERROR there is a real problem); not in {@code demo}, {@code dev} and
 * {@code bench}, whose simulated endpoint provokes alerts on purpose and whose own lines say when
 * something failed. {@code --verbose} ({@link VerboseOption}) keeps {@code logback.xml}: the log on
 * the console, as before. {@code rebound run} logs to the console as a service does, as text
 * ({@code logback.xml}) or, with {@code --log-format json}, as one JSON object per line
 * ({@code logback-json.xml}).
 *
 * <p>The configuration is Logback's own, read from one of three resources, not a filter on
 * strings. After the command the default configuration is read again, so that a command run in
 * the same JVM as others (the tests) leaves logging as it found it.
 */
public final class ConsoleLogs {

    private static final String DEFAULT = "/logback.xml";
    private static final String QUIET = "/logback-quiet.xml";
    private static final String JSON = "/logback-json.xml";

    /** The log file of the command running now, if its log goes to one. */
    private static volatile Optional<Path> current = Optional.empty();

    /**
     * @param resource the Logback configuration to read
     * @param file     where the log goes, for {@code logback-quiet.xml}
     * @param errors   whether Rebound's own ERROR lines also reach standard error
     * @param announce whether the command prints the file's path itself (else it is named at the end, when not empty)
     */
    private record Plan(String resource, Optional<Path> file, boolean errors, boolean announce) {
        static final Plan CONSOLE = new Plan(DEFAULT, Optional.empty(), true, false);
    }

    private ConsoleLogs() {
    }

    /** The log file of the command running now; empty when its log goes to the console. */
    static Optional<Path> file() {
        return current;
    }

    /** From now on {@code cl} runs each command with its log where {@link ConsoleLogs} says. */
    public static void install(final CommandLine cl) {
        final CommandLine.IExecutionStrategy inner = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> around(parsed, () -> inner.execute(parsed), cl.getErr()));
    }

    private static int around(final ParseResult parsed, final IntSupplier command, final PrintWriter err) {
        final Plan plan = parsed.subcommand() == null ? Plan.CONSOLE : plan(parsed.subcommand());
        configure(plan);
        current = plan.file();
        try {
            return command.getAsInt();
        } finally {
            current = Optional.empty();
            if (plan != Plan.CONSOLE) {
                configure(Plan.CONSOLE);
                plan.file().filter(f -> !plan.announce()).ifPresent(f -> nameOrRemove(f, parsed.subcommand(), err));
            }
        }
    }

    private static Plan plan(final ParseResult command) {
        final Object user = command.commandSpec().userObject();
        if (user instanceof RunCommand run) {
            return run.logFormat == LogFormat.JSON ? new Plan(JSON, Optional.empty(), true, false) : Plan.CONSOLE;
        }
        if (verbose(command) || command.isUsageHelpRequested() || command.isVersionHelpRequested()) {
            return Plan.CONSOLE;
        }
        if (user instanceof DevCommand dev) {
            return new Plan(QUIET, Optional.of(Dev.logFile(dev.configOut)), false, true);
        }
        final boolean announced = user instanceof DemoCommand || user instanceof BenchCommand;
        final Path file = Path.of(System.getProperty("java.io.tmpdir"),
                "rebound-" + command.commandSpec().name() + "-" + ProcessHandle.current().pid() + ".log");
        return new Plan(QUIET, Optional.of(file), !announced, announced);
    }

    /** Whether {@code --verbose} was given to the command or to one of its subcommands. */
    private static boolean verbose(final ParseResult command) {
        for (ParseResult p = command; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(VerboseOption.NAME)) {
                return true;
            }
        }
        return false;
    }

    private static void configure(final Plan plan) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // logging is not Logback (a caller's own binding): leave it alone
        }
        final URL config = ConsoleLogs.class.getResource(plan.resource());
        context.reset();
        plan.file().ifPresent(f -> context.putProperty("rebound.log.file", f.toString()));
        context.putProperty("rebound.log.console", plan.errors() ? "ERROR" : "OFF");
        final JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        try {
            joran.doConfigure(config);
        } catch (final JoranException e) {
            throw new IllegalStateException("the logging configuration " + plan.resource() + " is broken: " + e.getMessage(), e);
        }
    }

    /** A client command's log file: removed when nothing was logged, else named, so that a warning is not lost. */
    private static void nameOrRemove(final Path file, final ParseResult command, final PrintWriter err) {
        try {
            if (Files.size(file) == 0) {
                Files.delete(file);
            } else {
                err.println("rebound " + command.commandSpec().name() + ": warnings were logged to " + file);
                err.flush();
            }
        } catch (final IOException gone) {
            // nothing to remove or to name
        }
    }
}
