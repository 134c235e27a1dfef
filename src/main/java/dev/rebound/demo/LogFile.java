package dev.rebound.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Sends this process's log to a file instead of the terminal, for a command that keeps the
 * terminal for its own lines ({@code rebound dev}): the broker and the clients warn about things a
 * playground user need not watch, and would bury the commands it prints.
 */
public final class LogFile {

    /** The appender of {@code logback.xml} that writes to standard error. */
    private static final String CONSOLE = "STDERR";

    private LogFile() {
    }

    /**
     * From now on every log line goes to {@code file} (emptied first), in the console's format, at
     * the same levels. Does nothing when logging is not Logback (a caller's own binding).
     */
    public static void redirect(final Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n");
        encoder.start();
        final FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setAppend(false);
        appender.setEncoder(encoder);
        appender.start();
        final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.detachAppender(CONSOLE);
    }
}
