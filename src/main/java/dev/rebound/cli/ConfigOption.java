package dev.rebound.cli;

import dev.rebound.config.ConfigLoader;
import dev.rebound.config.ReboundConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --config FILE} option shared by every command that talks to a cluster. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The Rebound configuration (YAML, with ${ENV} substitution).")
    Path file;

    ReboundConfig load() {
        return new ConfigLoader(System::getenv).load(file);
    }
}
