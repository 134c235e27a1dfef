package dev.rebound.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A progress line that suits where it is printed. On a terminal it is redrawn in place
 * ({@code \r}) as often as it is shown. Anywhere else (a CI log, {@code | tee}, a file) a carriage
 * return does not go back, it piles up: there it is one plain line at most every {@link #PLAIN_EVERY},
 * and the final state always gets one.
 */
public final class ProgressLine {

    /** How often a plain (not a terminal's) progress line is printed at most. */
    public static final Duration PLAIN_EVERY = Duration.ofSeconds(5);

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final long everyNanos;
    private long lastPlain;
    private boolean shown;
    /** What a terminal shows of the progress line now, padding included; empty on a new line. */
    private String last = "";

    /**
     * @param out      where to print
     * @param terminal whether {@code out} is a terminal ({@link #isTerminal()} for standard output)
     * @param every    the least time between two plain lines
     * @param nanoTime the clock, {@link System#nanoTime()} but in tests
     */
    public ProgressLine(final PrintStream out, final boolean terminal, final Duration every, final LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
        this.everyNanos = every.toNanos();
    }

    /** Standard output's progress line: redrawn on a terminal, a plain line every {@link #PLAIN_EVERY} elsewhere. */
    public static ProgressLine onStandardOutput() {
        return new ProgressLine(System.out, isTerminal(), PLAIN_EVERY, System::nanoTime);
    }

    /**
     * Whether this JVM's standard input and output are a terminal: Java 17's {@link System#console()}
     * is {@code null} when either is redirected.
     */
    public static boolean isTerminal() {
        return System.console() != null;
    }

    /** Shows {@code line} now on a terminal; elsewhere only when the last plain line is old enough. */
    public void show(final String line) {
        final long now = nanoTime.getAsLong();
        if (terminal) {
            // a shorter line must cover the longer one it replaces
            last = pad(line);
            out.print("\r" + last);
        } else if (!shown || now - lastPlain >= everyNanos) {
            out.println(line.stripTrailing());
            lastPlain = now;
        } else {
            return;
        }
        shown = true;
        out.flush();
    }

    /**
     * Shows {@code line} whatever the time, and ends the line: what follows starts on a line of its
     * own, and the next {@link #show} starts a new progress line at once.
     */
    public void finish(final String line) {
        if (terminal) {
            out.println("\r" + pad(line));
        } else {
            out.println(line.stripTrailing());
        }
        shown = false;
        last = "";
        out.flush();
    }

    /**
     * Ends a terminal's progress line where it stands, so that a line of another kind (a note, an
     * error) can follow on a line of its own; a plain line has ended already.
     */
    public void breakLine() {
        if (terminal && shown) {
            out.println();
            out.flush();
        }
        shown = false;
        last = "";
    }

    private String pad(final String line) {
        return line.length() >= last.length() ? line : line + " ".repeat(last.length() - line.length());
    }
}
