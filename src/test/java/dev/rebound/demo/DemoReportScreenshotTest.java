package dev.rebound.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens the demo report in a headless Chromium, with networking off, and looks at the screenshot:
 * the page renders and its circuit chart shows the OPEN band. Skipped where no Chromium is
 * installed (Debian: {@code apt-get install chromium}).
 */
class DemoReportScreenshotTest {

    @TempDir
    Path dir;

    private static String chromium() {
        for (final String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return null;
    }

    @Test
    void shouldRenderTheChartsInAHeadlessBrowserWithoutNetwork() throws Exception {
        final String chromium = chromium();
        assumeTrue(chromium != null, "no Chromium on this machine");
        final List<DemoReport.Sample> samples = List.of(
                new DemoReport.Sample(1, 100, 0, 0, "CLOSED", 100, 0), new DemoReport.Sample(2, 100, 80, 1, "OPEN", 0, 4),
                new DemoReport.Sample(3, 100, 160, 2, "OPEN", 0, 0), new DemoReport.Sample(4, 150, 160, 2, "HALF_OPEN", 25, 0),
                new DemoReport.Sample(5, 250, 160, 2, "CLOSED", 100, 0));
        final DemoSummary summary = new DemoSummary(300, 250, 160, 2, 260, 160, 0, 0, 2, Map.of("INVALID_REQUEST", 2L),
                Map.of("sim-backup", 160L), List.of(), samples, 5, 298, ChaosSummary.NONE);
        final Path html = dir.resolve("report.html");
        final Path png = dir.resolve("report.png");
        Files.writeString(html, DemoReport.html("outage", summary, samples));
        final Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--proxy-server=127.0.0.1:9", "--hide-scrollbars", "--window-size=920,1100",
                "--screenshot=" + png, html.toUri().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        final BufferedImage shot = ImageIO.read(png.toFile());
        assertThat(shot.getWidth()).isEqualTo(920);
        boolean openBand = false;
        boolean trafficLine = false;
        for (int y = 0; y < shot.getHeight(); y += 2) {
            for (int x = 0; x < shot.getWidth(); x += 2) {
                final int rgb = shot.getRGB(x, y) & 0xffffff;
                openBand |= rgb == 0xffcdd2;
                trafficLine |= rgb == 0x1565c0;
            }
        }
        assertThat(openBand).as("the OPEN state's band is drawn").isTrue();
        assertThat(trafficLine).as("the traffic % line is drawn").isTrue();
    }
}
