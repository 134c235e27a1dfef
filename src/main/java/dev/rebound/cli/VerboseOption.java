package dev.rebound.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code --verbose}, mixed into every command but {@code run}: the log on the console again, as
 * {@code logback.xml} has it, instead of in the command's log file ({@link ConsoleLogs}). Inherited by
 * subcommands, so that {@code rebound dlq list --verbose} works.
 */
final class VerboseOption {

    /** The option's name, as {@link ConsoleLogs} looks for it in the parse result. */
    static final String NAME = "--verbose";

    @Option(names = NAME, scope = ScopeType.INHERIT,
            description = "Log to the console (Kafka's, the broker's and Rebound's own log lines) instead of to the log file.")
    boolean verbose;
}
