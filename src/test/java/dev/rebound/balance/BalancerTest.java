package dev.rebound.balance;

import dev.rebound.config.Pool;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Each balance strategy's order, and the exactness of weighted shares. */
class BalancerTest {

    private static Map<String, Integer> weights(final int a, final int b, final int c) {
        final Map<String, Integer> w = new LinkedHashMap<>();
        w.put("p/a", a);
        w.put("p/b", b);
        w.put("p/c", c);
        return w;
    }

    private static final Set<String> ALL = Set.of("p/a", "p/b", "p/c");

    /** Picks {@code n} times, the first of each order among {@code eligible}; the counts per endpoint. */
    private static Map<String, Integer> pick(final Balancer b, final int n, final Set<String> eligible) {
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            final String first = b.order(Set.of(), e -> 0, e -> -1).stream().filter(eligible::contains).findFirst().orElseThrow();
            b.chosen(first, eligible);
            counts.merge(first, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void shouldGiveEachEndpointExactlyItsWeightedShareWithinOnePickOverAnyRun() {
        final Balancer b = new Balancer(Pool.Balance.WEIGHTED, weights(3, 1, 1), new SplittableRandom(1));
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 1; i <= 1_000; i++) {
            final String first = b.order(Set.of(), e -> 0, e -> -1).get(0);
            b.chosen(first, ALL);
            counts.merge(first, 1, Integer::sum);
            // after every pick, no endpoint is more than one pick away from its exact share
            for (final Map.Entry<String, Integer> w : weights(3, 1, 1).entrySet()) {
                assertThat(Math.abs(counts.getOrDefault(w.getKey(), 0) - i * w.getValue() / 5.0)).as("after %d picks", i).isLessThan(1.0 + 1e-9);
            }
        }
        assertThat(counts).containsEntry("p/a", 600).containsEntry("p/b", 200).containsEntry("p/c", 200);
    }

    @Test
    void shouldShareAnExcludedEndpointsPartAmongTheOthersByWeight() {
        final Balancer b = new Balancer(Pool.Balance.WEIGHTED, weights(2, 1, 1), new SplittableRandom(1));
        assertThat(pick(b, 300, Set.of("p/a", "p/b"))).containsExactlyInAnyOrderEntriesOf(Map.of("p/a", 200, "p/b", 100));
        // and when it is back, the round goes on exactly
        assertThat(pick(b, 400, ALL)).containsExactlyInAnyOrderEntriesOf(Map.of("p/a", 200, "p/b", 100, "p/c", 100));
    }

    @Test
    void shouldPutEndpointsTheRequestHasNotTriedFirst() {
        final Balancer b = new Balancer(Pool.Balance.WEIGHTED, weights(3, 1, 1), new SplittableRandom(1));
        final List<String> order = b.order(Set.of("p/a"), e -> 0, e -> -1);
        assertThat(order.get(order.size() - 1)).isEqualTo("p/a");
        assertThat(order.subList(0, 2)).containsExactlyInAnyOrder("p/b", "p/c");
    }

    @Test
    void shouldPreferTheFewestInFlightThenTheMostQuotaLeftThenTheWeightAndTakeTurnsOnTies() {
        final Balancer b = new Balancer(Pool.Balance.LEAST_LOADED, weights(1, 1, 5), new SplittableRandom(1));
        final Map<String, Integer> inFlight = Map.of("p/a", 4, "p/b", 1, "p/c", 1);
        assertThat(b.order(Set.of(), inFlight::get, e -> -1)).containsExactly("p/c", "p/b", "p/a");
        final Map<String, Long> left = Map.of("p/a", 0L, "p/b", 90L, "p/c", 10L);
        assertThat(b.order(Set.of(), inFlight::get, left::get)).containsExactly("p/b", "p/c", "p/a");
        final Balancer tie = new Balancer(Pool.Balance.LEAST_LOADED, weights(1, 1, 1), new SplittableRandom(1));
        final Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            firsts.merge(tie.order(Set.of(), e -> 0, e -> -1).get(0), 1, Integer::sum);
        }
        assertThat(firsts).as("ties are taken in turn").containsExactlyInAnyOrderEntriesOf(Map.of("p/a", 10, "p/b", 10, "p/c", 10));
    }

    @Test
    void shouldPreferTheLowestMedianLatencyAndStillExploreAboutATenth() {
        final Balancer b = new Balancer(Pool.Balance.LATENCY, weights(1, 1, 1), new SplittableRandom(7));
        assertThat(b.order(Set.of(), e -> 0, e -> -1).get(0)).as("no latency known yet: learn it").isNotNull();
        for (int i = 0; i < 100; i++) {
            b.observed("p/a", 200);
            b.observed("p/b", 40 + i % 3);
            b.observed("p/c", 90);
        }
        assertThat(b.median("p/b")).isEqualTo(41);
        int fastestFirst = 0;
        for (int i = 0; i < 10_000; i++) {
            if (b.order(Set.of(), e -> 0, e -> -1).get(0).equals("p/b")) {
                fastestFirst++;
            }
        }
        // 90 % by latency, and a third of the 10 % exploring lands on it too
        assertThat(fastestFirst).isBetween(9_100, 9_500);
    }
}
