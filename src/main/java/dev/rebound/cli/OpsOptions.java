package dev.rebound.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --ops URL} or {@code --config FILE}: which running instance a command asks, through its
 * ops endpoint. A picocli mixin for the commands that read an instance ({@code status},
 * {@code request}).
 */
public final class OpsOptions {

    @Option(names = "--ops", description = "The ops endpoint of a running instance (default: the one of --config, else "
            + OpsAddress.DEFAULT + ").")
    String ops;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The instance's configuration: its ops endpoint is at ops.bind and ops.port.")
    Path config;

    /** The instance to ask, for a command that needs it to serve {@code serves}. */
    OpsAddress address(final String serves) {
        return OpsAddress.of(ops, config, serves);
    }
}
