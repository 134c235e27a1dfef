package dev.rebound.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressLineTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintPlainLinesAtMostEveryPeriodWhenNotATerminal() {
        // given a progress line on something that is not a terminal (a CI log, | tee)
        final ProgressLine progress = new ProgressLine(out, false, Duration.ofSeconds(5), now::get);

        // when it is shown every half second for 12 s, then finished
        for (int i = 0; i <= 24; i++) {
            now.set(Duration.ofMillis(500L * i).toNanos());
            progress.show("  [" + i + "/24] going   ");
        }
        progress.finish("  [24/24] done   ");

        // then one plain line at 0, 5 and 10 s, and the final one; never a carriage return
        assertThat(printed()).doesNotContain("\r")
                .isEqualTo("  [0/24] going\n  [10/24] going\n  [20/24] going\n  [24/24] done\n");
    }

    @Test
    void shouldRedrawInPlaceOnATerminal() {
        // given a progress line on a terminal
        final ProgressLine progress = new ProgressLine(out, true, Duration.ofSeconds(5), now::get);

        // when it is shown three times, the last shorter, and finished
        progress.show("  [1/3] long line");
        progress.show("  [2/3] long line");
        progress.show("  [3/3]");
        progress.finish("  [3/3] done");

        // then each redraw goes back to the start and covers what was there; the finish ends the line
        assertThat(printed()).isEqualTo("\r  [1/3] long line\r  [2/3] long line\r  [3/3]          \r  [3/3] done     \n");
    }

    @Test
    void shouldStartANewPlainLineAtOnceAfterAFinishOrABreak() {
        final ProgressLine progress = new ProgressLine(out, false, Duration.ofSeconds(5), now::get);

        progress.show("a starting");
        progress.finish("a done");
        progress.show("b starting");
        progress.breakLine();
        progress.show("b halfway");

        assertThat(printed()).isEqualTo("a starting\na done\nb starting\nb halfway\n");
    }
}
