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
        assertThat(Bench.names()).containsExactly("passthrough", "concurrency", "outage", "failfast", "recovery", "delay", "exactly-once");
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
        assertThat(run.err()).contains("--scenario must be one of [passthrough, concurrency, outage, failfast, recovery, delay, exactly-once]");
    }
}
