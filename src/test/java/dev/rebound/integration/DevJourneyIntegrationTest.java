package dev.rebound.integration;

import dev.rebound.testkit.ReboundProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The README's "Try it by hand", run exactly as written: {@code ./rebound dev} as a subprocess, then
 * every {@code ./rebound} command of the section, in order, each in a JVM of its own (as from
 * another terminal), with what each prints checked. The commands are read from the README, so the
 * section cannot drift from what works; a command this test has no check for fails it.
 *
 * <p>Every process gets a {@code java.io.tmpdir} of the test's: the lock of {@code rebound dev}
 * lives there, so a {@code rebound dev} that someone runs on this machine meanwhile is not in the
 * way (nor are its ports: a taken port gives way to a free one, which the configuration file and
 * the lock tell the other commands).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DevJourneyIntegrationTest {

    private static final String SECTION = "## Try it by hand";
    private static final Duration COMMAND_WITHIN = Duration.ofSeconds(60);
    /** How long something that happens by itself (a deadline, a health check, a commit) may take to show. */
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final Pattern SENT = Pattern.compile("sent (\\S+) to agent-calls-\\d+@\\d+");

    @TempDir
    Path dir;

    @TempDir
    Path tmp;

    private final StringBuilder transcript = new StringBuilder();

    /** One command of the README: its line as written, and its arguments as the shell passes them (without {@code ./rebound}). */
    record Command(String line, List<String> args) {
    }

    @Test
    void shouldWorkExactlyAsTheReadmeSays() throws Exception {
        final List<Command> journey = journey();
        assertThat(journey).as("the section starts the playground").isNotEmpty();
        assertThat(journey.get(0).args()).containsExactly("dev");

        final ReboundProcess dev = ReboundProcess.start(dir, tmp, journey.get(0).args());
        ReboundProcess tail = null;
        try {
            checkDev(dev, journey);
            final Set<String> sentWhileDisabled = new HashSet<>();
            boolean disabled = false;
            String scenario = "healthy";
            for (final Command step : journey.subList(1, journey.size())) {
                final List<String> command = step.args();
                final String kind = command.get(0) + (command.size() > 1 && !command.get(1).startsWith("-") ? " " + command.get(1) : "");
                switch (kind) {
                    case "tail results" -> {
                        tail = ReboundProcess.start(dir, tmp, command);
                        tail.awaitErr("following agent-results from now on", COMMAND_WITHIN);
                        transcript.append("$ ").append(step.line()).append("   (another terminal, left running)\n");
                    }
                    case "send" -> {
                        final Matcher sent = SENT.matcher(run(step));
                        assertThat(sent.find()).as("send prints what it sent").isTrue();
                        if (disabled) {
                            sentWhileDisabled.add(sent.group(1));
                        } else {
                            awaitResult(tail, sent.group(1));
                        }
                    }
                    case "control disable" -> {
                        assertThat(run(step)).contains("disabled sim-chat (test)");
                        disabled = true;
                    }
                    case "control enable" -> {
                        assertThat(run(step)).contains("enabled sim-chat");
                        disabled = false;
                    }
                    case "dlq list" -> eventually(step, out -> {
                        assertThat(sentWhileDisabled).isNotEmpty().allSatisfy(id -> assertThat(out).containsPattern(
                                Pattern.quote(id) + "\\s+sim-chat\\s+DEADLINE_EXCEEDED"));
                        assertThat(out).contains(sentWhileDisabled.size() + " dead letter(s)");
                    });
                    case "dlq show" -> assertThat(run(step)).contains("\"id\" : \"" + command.get(2) + "\"",
                            "\"reason\" : \"DEADLINE_EXCEEDED\"", "sim-chat is disabled by an operator: test");
                    case "dlq replay" -> {
                        final String id = command.get(command.indexOf("--id") + 1);
                        final String out = run(step);
                        assertThat(out).contains("replay " + id + " as " + id + "~r", "1 replayed, 0 skipped, 0 could not be replayed");
                        final Matcher replayed = Pattern.compile(Pattern.quote(id) + " as (\\S+):").matcher(out);
                        assertThat(replayed.find()).isTrue();
                        awaitResult(tail, replayed.group(1));
                    }
                    case "simulate-set" -> {
                        scenario = command.get(2);
                        assertThat(run(step)).contains("now plays '" + scenario + "'");
                    }
                    case "status" -> {
                        final String expected = "outage".equals(scenario) ? "sim-chat\\s+OPEN\\s+DEGRADED\\s+0%" : "sim-chat\\s+CLOSED";
                        eventually(step, out -> assertThat(out).containsPattern(expected));
                    }
                    default -> fail("the README's journey has a command this test does not check: " + step.line());
                }
            }
            checkSecondDevRefused(dev);
        } finally {
            if (tail != null) {
                transcript.append("--- meanwhile, the terminal running `./rebound tail results ...` showed:\n").append(tail.err()).append(tail.out())
                        .append("---\n");
                tail.close();
            }
            stop(dev);
            System.out.println(transcript);
        }
    }

    /** The playground: up, with the ops URL, a configuration file and five commands that the README's journey runs too. */
    private void checkDev(final ReboundProcess dev, final List<Command> journey) throws Exception {
        dev.awaitOut("Ctrl-C stops everything", Duration.ofSeconds(120));
        transcript.append("$ ./rebound dev   (first terminal, left running)\n").append(dev.out()).append('\n');
        assertThat(dev.out()).containsPattern("ops endpoint   http://127\\.0\\.0\\.1:\\d+")
                .contains("Every command below reads rebound-dev.yaml");
        assertThat(dir.resolve("rebound-dev.yaml")).exists();
        final List<List<String>> readme = journey.stream().map(Command::args).toList();
        final String tryNext = dev.out().substring(dev.out().indexOf("Try next"), dev.out().indexOf("Ctrl-C stops everything"));
        final List<String> suggested = tryNext.lines().map(String::trim).filter(l -> l.startsWith("./rebound ")).toList();
        assertThat(suggested).hasSize(5);
        assertThat(suggested.stream().map(DevJourneyIntegrationTest::words).map(w -> w.subList(1, w.size())))
                .as("every command it suggests is one the journey runs, word for word").isSubsetOf(readme);
    }

    /** A second {@code rebound dev} says which one runs and exits 1, without touching its ports. */
    private void checkSecondDevRefused(final ReboundProcess first) throws Exception {
        try (ReboundProcess second = ReboundProcess.start(dir, tmp, List.of("dev"))) {
            assertThat(second.exitCode(COMMAND_WITHIN)).isEqualTo(1);
            assertThat(second.err()).contains("rebound dev: a rebound dev is already running (pid " + first.pid());
            transcript.append("$ ./rebound dev   (again, while the first runs)\n").append(second.err()).append('\n');
        }
        assertThat(first.isAlive()).isTrue();
    }

    /** Ctrl-C (SIGTERM here, the same shutdown hooks): the processor first, then the broker; the configuration goes, the log stays. */
    private void stop(final ReboundProcess dev) throws Exception {
        final int before = dev.out().length();
        dev.terminate();
        dev.exitCode(Duration.ofSeconds(90));
        final String last = dev.out().substring(before);
        transcript.append("^C   (in the first terminal)\n").append(last);
        assertThat(last).contains("stopping: the processor first, then the simulator and the broker",
                "stopped; rebound-dev.yaml removed. The log is rebound-dev.log");
        assertThat(dir.resolve("rebound-dev.yaml")).doesNotExist();
        assertThat(dir.resolve("rebound-dev.log")).isNotEmptyFile();
    }

    /** Runs a command to its end; returns what it printed, having checked that it exited 0. */
    private String run(final Command step) throws Exception {
        try (ReboundProcess p = ReboundProcess.start(dir, tmp, step.args())) {
            final int exit = p.exitCode(COMMAND_WITHIN);
            transcript.append("$ ").append(step.line()).append('\n').append(p.out()).append(p.err());
            assertThat(exit).as("exit code of %s; stderr: %s", step.line(), p.err()).isZero();
            return p.out();
        }
    }

    @FunctionalInterface
    private interface Check {
        void accept(String out);
    }

    /** Runs a command again until what it prints passes {@code check} (what it shows happens by itself), for at most {@link #EVENTUALLY}. */
    private void eventually(final Command step, final Check check) throws Exception {
        final long until = System.nanoTime() + EVENTUALLY.toNanos();
        while (true) {
            final int mark = transcript.length();
            final String out = run(step);
            try {
                check.accept(out);
                return;
            } catch (final AssertionError notYet) {
                if (System.nanoTime() > until) {
                    throw notYet;
                }
                transcript.setLength(mark); // a user would look again; keep the last look only
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    /** Waits until the following {@code tail results} shows {@code id} with outcome SUCCEEDED. */
    private static void awaitResult(final ReboundProcess tail, final String id) throws InterruptedException {
        assertThat(tail).as("tail results runs before this command in the README").isNotNull();
        final long until = System.nanoTime() + EVENTUALLY.toNanos();
        while (Arrays.stream(tail.out().split("── ")).noneMatch(r -> r.contains("\"id\" : \"" + id + "\"")
                && r.contains("\"outcome\" : \"SUCCEEDED\""))) {
            if (System.nanoTime() > until) {
                fail("tail results did not show a SUCCEEDED result for " + id + " within " + EVENTUALLY + "; it showed:\n" + tail.out());
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** The section's commands, in order: every line of its bash blocks that starts with {@code ./rebound}, as shell words without it. */
    static List<Command> journey() throws IOException {
        final String readme = Files.readString(Path.of("README.md"));
        final int start = readme.indexOf(SECTION);
        assertThat(start).as("README has a section '" + SECTION + "'").isNotNegative();
        final int end = readme.indexOf("\n## ", start + SECTION.length());
        final List<Command> commands = new ArrayList<>();
        boolean inBash = false;
        for (final String line : readme.substring(start, end < 0 ? readme.length() : end).lines().toList()) {
            if (line.startsWith("```")) {
                inBash = !inBash && line.equals("```bash");
            } else if (inBash && line.startsWith("./rebound ")) {
                final List<String> w = words(line);
                commands.add(new Command(line, w.subList(1, w.size())));
            }
        }
        return commands;
    }

    /** {@code line} split as a POSIX shell splits it: single quotes literal, double quotes with backslash escapes, {@code #} a comment. */
    static List<String> words(final String line) {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            if (c == '\'') {
                final int close = line.indexOf('\'', i + 1);
                word.append(line, i + 1, close);
                i = close;
                inWord = true;
            } else if (c == '"') {
                for (i++; line.charAt(i) != '"'; i++) {
                    word.append(line.charAt(i) == '\\' ? line.charAt(++i) : line.charAt(i));
                }
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '#' && !inWord) {
                break;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
