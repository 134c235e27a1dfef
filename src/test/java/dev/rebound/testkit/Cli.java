package dev.rebound.testkit;

import dev.rebound.Rebound;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the real command line in this JVM and captures what it prints. */
public final class Cli {

    /** The exit code and standard output of one command. */
    public record Run(int code, String out) {
    }

    private Cli() {
    }

    public static synchronized Run rebound(final String... args) {
        final PrintStream old = System.out;
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            return new Run(Rebound.commandLine().execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }
}
