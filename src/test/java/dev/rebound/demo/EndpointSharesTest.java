package dev.rebound.demo;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EndpointSharesTest {

    private static EndpointShares.Sample at(final double second, final long east, final long west, final long north) {
        final Map<String, Long> calls = new LinkedHashMap<>();
        calls.put("east", east);
        calls.put("west", west);
        calls.put("north", north);
        return new EndpointShares.Sample(second, calls);
    }

    private static final List<EndpointShares.Sample> SAMPLES = List.of(at(0, 0, 0, 0), at(1, 60, 20, 20), at(2, 120, 40, 40),
            at(3, 195, 41, 65), at(4, 270, 41, 90), at(5, 330, 61, 110));

    private static final Map<String, Integer> WEIGHTS = weights();

    private static Map<String, Integer> weights() {
        final Map<String, Integer> w = new LinkedHashMap<>();
        w.put("east", 3);
        w.put("west", 1);
        w.put("north", 1);
        return w;
    }

    @Test
    void shouldCountEachEndpointsCallsBetweenTwoMomentsFromCumulativeSamples() {
        final EndpointShares.Interval during = EndpointShares.between(SAMPLES, 2, 4);
        assertThat(during.calls()).containsExactly(Map.entry("east", 150L), Map.entry("west", 1L), Map.entry("north", 50L));
        assertThat(during.percent("west")).isCloseTo(0.5, within(0.01));
        assertThat(EndpointShares.between(SAMPLES, 0, 2).errorPoints(WEIGHTS)).isZero();
        assertThat(during.errorPoints(WEIGHTS)).as("west's 20 points went to the others").isCloseTo(19.5, within(0.01));
    }

    @Test
    void shouldSplitARunIntoIntervalsAndPrintEachAsALine() {
        final List<EndpointShares.Interval> every = EndpointShares.every(SAMPLES, 2);
        assertThat(every).extracting(EndpointShares.Interval::from).containsExactly(0.0, 2.0, 4.0);
        assertThat(every.get(0).line()).isEqualTo("east  60%  west  20%  north  20%");
        assertThat(every.get(2).total()).isEqualTo(100);
        assertThat(EndpointShares.every(SAMPLES, 2.2)).as("a remainder under half a step joins the last interval")
                .extracting(EndpointShares.Interval::to).containsExactly(2.2, 5.0);
        assertThat(every.get(0).plus(every.get(2)).calls()).containsEntry("east", 120L + 60L);
    }

    @Test
    void shouldFindWhenAnEndpointWasCalledAgain() {
        assertThat(EndpointShares.nextCallAfter(SAMPLES, "west", 3)).isEqualTo(5.0);
        assertThat(EndpointShares.nextCallAfter(SAMPLES, "west", 5)).isNaN();
    }

    @Test
    void shouldMarkTheIntervalsOfTheOutageInTheTable() {
        final EndpointShares.Timeline t = new EndpointShares.Timeline("sim-pool", WEIGHTS, "west", 2.2, 4.1,
                EndpointShares.every(SAMPLES, 1));
        assertThat(t.table()).contains("        0-1 s   east  60%  west  20%  north  20%   (100 calls)\n")
                .containsPattern("2-3 s +east +74% +west +1% +north +25% +\\(101 calls\\) +<- west down")
                .contains("1-2 s   east  60%  west  20%  north  20%   (100 calls)\n")
                .contains("4-5 s   east  60%  west  20%  north  20%   (100 calls)\n");
    }
}
