package dev.rebound.bench;

import dev.rebound.testkit.Cli;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BenchTest {

    @Test
    void shouldNameExactlyTheScenariosOfTheDesign() {
        // the design's (pool last), and adaptive-burst: the rate-limit issue's second figure, runnable on its own
        assertThat(Bench.names()).containsExactly("passthrough", "concurrency", "outage", "failfast", "recovery", "delay", "exactly-once",
                "saturation", "ratelimit", "adaptive-burst", "pool");
    }

    @Test
    void shouldJudgeEachFigureAgainstItsGoal() {
        final Map<String, Object> scenarios = new LinkedHashMap<>();
        scenarios.put("outage", Map.of("amplification", 0.02));
        scenarios.put("failfast", Map.of("p99Ms", 312.0));
        final String table = Bench.table(List.of(new Outage(), new FailFast()), scenarios);
        assertThat(table).containsPattern("outage\\s+amplification\\s+0.02\\s+<= 1.25\\s+yes")
                .containsPattern("failfast\\s+p99Ms\\s+312.0\\s+<= 250\\s+NO");
    }

    @Test
    void shouldJudgeTheGoalsOfIssue13() {
        final Map<String, Object> scenarios = new LinkedHashMap<>();
        final Map<String, Object> passthrough = new LinkedHashMap<>();
        passthrough.put("ratio", 0.3);
        passthrough.put("ratioToDurable", 0.5);
        passthrough.put("cpuMicrosPerRequest", 700L);
        scenarios.put("passthrough", passthrough);
        scenarios.put("concurrency", Map.of("ratio", 0.9));
        final Map<String, Object> saturation = new LinkedHashMap<>();
        saturation.put("perSec", 71.9);
        saturation.put("otherTargetP99Ratio", 1.4);
        saturation.put("repeatedCalls", 0L);
        saturation.put("fenced", 2L);
        scenarios.put("saturation", saturation);
        final String table = Bench.table(List.of(new Passthrough(), new Concurrency(), new Saturation()), scenarios);
        assertThat(table).containsPattern("passthrough\\s+ratio\\s+0.3\\s+>= 0.25\\s+yes")
                .containsPattern("passthrough\\s+ratioToDurable\\s+0.5\\s+>= 0.7\\s+NO")
                .containsPattern("passthrough\\s+cpuMicrosPerRequest\\s+700\\s*\\n")
                .containsPattern("concurrency\\s+ratio\\s+0.9\\s+>= 0.85\\s+yes")
                .containsPattern("saturation\\s+perSec\\s+71.9\\s+>= 72\\s+NO")
                .containsPattern("saturation\\s+otherTargetP99Ratio\\s+1.4\\s+<= 1.5\\s+yes")
                .containsPattern("saturation\\s+repeatedCalls\\s+0\\s+= 0\\s+yes")
                .containsPattern("saturation\\s+fenced\\s+2\\s+= 0\\s+NO");
    }

    @Test
    void shouldTakeTheMedianOfEachFigureOnItsOwn() {
        final Side.Round m = Rounds.medianOf(List.of(new Side.Round(900, 30), new Side.Round(1_000, 10), new Side.Round(100, 20)));
        assertThat(m.perSec()).isEqualTo(900.0);
        assertThat(m.cpuMicrosPerRequest()).isEqualTo(20.0);
        assertThat(Rounds.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Rounds.median(List.of())).isNaN();
    }

    @Test
    void shouldSizeARoundToLastAboutFiveSecondsAtItsSidesRate() {
        assertThat(Rounds.roundSize(1_000)).isEqualTo(5_000);
        assertThat(Rounds.roundSize(0.5)).isEqualTo(10);
        assertThat(Rounds.roundSize(1e6)).isEqualTo(Rounds.MAX_ROUND);
    }

    @Test
    void shouldTakePercentilesOfSortedSamples() {
        final List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 100L);
        assertThat(Bench.percentile(sorted, 0.5)).isEqualTo(5.0);
        assertThat(Bench.percentile(sorted, 0.99)).isEqualTo(100.0);
        assertThat(Bench.percentile(List.of(), 0.5)).isNaN();
    }

    @Test
    void shouldRefuseAnUnknownScenarioByName() {
        final Cli.Run run = Cli.rebound("bench", "--scenario", "nope");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains(
                "--scenario must be one of [passthrough, concurrency, outage, failfast, recovery, delay, exactly-once, saturation, ratelimit, "
                        + "adaptive-burst, pool]");
    }
}
