package dev.rebound.demo;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class DemoReportTest {

    private static final List<DemoReport.Sample> SAMPLES = List.of(
            new DemoReport.Sample(1, 100, 0, 5, "CLOSED", 100, 3),
            new DemoReport.Sample(2, 150, 20, 6, "OPEN", 0, 0),
            new DemoReport.Sample(3, 150, 120, 6, "HALF_OPEN", 25, 0),
            new DemoReport.Sample(4, 250, 120, 6, "CLOSED", 100, 1));

    private static final DemoSummary SUMMARY = new DemoSummary(400, 250, 120, 6, 380, 120, 0, 0, 5, Map.of("INVALID_REQUEST", 5L),
            Map.of("sim-backup", 120L), List.of(), SAMPLES, 4.0, 370, ChaosSummary.NONE);

    private static List<String> points(final String html, final String series) {
        final Matcher m = Pattern.compile("data-name=\"" + series + "\"[^>]*points=\"([^\"]*)\"").matcher(html);
        assertThat(m.find()).as("series " + series).isTrue();
        return List.of(m.group(1).split(" "));
    }

    @Test
    void shouldDrawEverySeriesFromTheSamples() {
        final String html = DemoReport.html("outage", SUMMARY, SAMPLES);
        assertThat(points(html, "succeeded")).hasSize(4);
        assertThat(points(html, "fallback")).hasSize(4);
        assertThat(points(html, "traffic %")).hasSize(4);
        assertThat(points(html, "waiting")).hasSize(4);
        // succeeded per second: 100, 50, 0, 100 on a 0..100 axis: the second point is halfway up, the third on the floor
        final double floor = Double.parseDouble(points(html, "succeeded").get(2).split(",")[1]);
        final double top = Double.parseDouble(points(html, "succeeded").get(0).split(",")[1]);
        final double mid = Double.parseDouble(points(html, "succeeded").get(1).split(",")[1]);
        assertThat(mid).isCloseTo((floor + top) / 2, Offset.offset(0.2));
        assertThat(html).contains("class=\"state-OPEN\"", "class=\"state-HALF_OPEN\"");
    }

    @Test
    void shouldBeSelfContainedWithTheSummaryTable() {
        final String html = DemoReport.html("outage", SUMMARY, SAMPLES);
        assertThat(html).doesNotContain("<script", "src=", "href=", "@import", "url(");
        assertThat(html).contains("<td>lost</td><td class=\"n\">0</td>", "served by {sim-backup=120}", "deliberately invalid");
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    }

    @Test
    void shouldChartEachEndpointsShareOfAPoolWithTheOutageShaded() {
        final Map<String, Long> before = new java.util.LinkedHashMap<>();
        before.put("east", 60L);
        before.put("west", 20L);
        before.put("north", 20L);
        final Map<String, Long> down = new java.util.LinkedHashMap<>();
        down.put("east", 75L);
        down.put("west", 0L);
        down.put("north", 25L);
        final EndpointShares.Timeline pool = new EndpointShares.Timeline("sim-pool", Map.of("east", 3, "west", 1, "north", 1), "west",
                2, 4, List.of(new EndpointShares.Interval(0, 2, before), new EndpointShares.Interval(2, 4, down),
                new EndpointShares.Interval(4, 6, before)));
        final DemoSummary s = new DemoSummary(300, 300, 0, 0, 300, 0, 0, 0, 0, Map.of(), Map.of(), List.of(), SAMPLES, 6.0, 300,
                ChaosSummary.NONE, pool);
        final String html = DemoReport.html("pool", s, SAMPLES);
        assertThat(html).contains("Share of sim-pool's calls per endpoint (%)", "Circuit of sim-pool/west", "red background: west answers 503");
        assertThat(points(html, "west")).hasSize(3);
        final double floor = Double.parseDouble(points(html, "west").get(1).split(",")[1]);
        final double twenty = Double.parseDouble(points(html, "west").get(0).split(",")[1]);
        final double sixty = Double.parseDouble(points(html, "east").get(0).split(",")[1]);
        assertThat(floor - twenty).as("a 0..100 axis: 20% is a fifth of the way up").isCloseTo((floor - sixty) / 3, Offset.offset(0.2));
        final String svg = html.substring(html.indexOf("<svg id=\"pool-shares\""));
        assertThat(svg.substring(0, svg.indexOf("</svg>"))).containsOnlyOnce("class=\"state-OPEN\"");
    }

    @Test
    void shouldEscapeWhatItPrints() {
        assertThat(DemoReport.html("<script>x</script>", SUMMARY, SAMPLES)).doesNotContain("<script>x");
    }
}
