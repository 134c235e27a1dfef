package dev.rebound.integration;

import dev.rebound.demo.Demo;
import dev.rebound.demo.DemoSummary;
import dev.rebound.demo.EndpointShares;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rebound demo} end to end, as a user runs it: its own broker, simulator and processor. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoIntegrationTest {

    @Test
    void shouldAccountForEveryRequestExactlyOnce() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final DemoSummary s = Demo.run(new Demo.Options(200, "flaky", 3, Duration.ofSeconds(30), true, true, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(s.lost()).isZero();
        assertThat(s.duplicated()).isZero();
        assertThat(s.succeeded() + s.fallback() + s.deadLettered()).isEqualTo(200);
        assertThat(s.invalidSent()).isEqualTo(10);
        assertThat(s.deadLetterReasons().getOrDefault("INVALID_REQUEST", 0L) + s.deadLetterReasons().getOrDefault("UNKNOWN_TARGET", 0L))
                .as("every deliberately bad request, and only those, rejected as input").isEqualTo(10);
        assertThat(s.downstreamCalls()).as("every valid request called at least once, retries on top, within 3 attempts")
                .isBetween(190L, 190L * 3);
        assertThat(s.succeeded()).as("with retries, the flaky scenario's requests mostly succeed").isGreaterThan(160);
        assertThat(s.deadLettered()).as("with the fallback chain, only the bad input is dead-lettered").isEqualTo(10);
        assertThat(s.fallbackServedBy().keySet()).as("the healthy backup target serves every fallback").isSubsetOf(Set.of("sim-backup"));
        assertThat(s.backupCalls()).isEqualTo(s.fallback());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("[   200/200]").containsPattern("circuit (CLOSED|OPEN|HALF_OPEN)");
        assertThat(Demo.table(s)).contains("lost", "duplicated", "every request accounted for");
    }

    @Test
    void shouldShareAPoolsCallsByWeightAndRouteAroundTheEndpointThatFails() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 400 requests at 50 a second: 8 s of load, west down from 2.4 s to 5.6 s
        final DemoSummary s = Demo.run(new Demo.Options(400, Demo.POOL, 3, Duration.ofSeconds(30), true, true, 50),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(s.lost()).isZero();
        assertThat(s.duplicated()).isZero();
        assertThat(s.succeeded()).as("every request answered by some endpoint, none dead-lettered").isEqualTo(400);
        final EndpointShares.Timeline pool = s.pool();
        assertThat(pool.intervals()).isNotEmpty();
        final EndpointShares.Interval first = pool.intervals().get(0);
        assertThat(first.errorPoints(pool.weights())).as("before the outage: 60/20/20, " + first.line()).isLessThanOrEqualTo(5);
        assertThat(pool.intervals().stream().filter(i -> i.from() >= pool.outageFrom() + 1 && i.to() <= pool.outageTo())
                .mapToDouble(i -> i.percent("west"))).as("west once its circuit opened").isNotEmpty().allMatch(p -> p <= 5);
        assertThat(Demo.table(s)).contains("Calls per endpoint of sim-pool", "<- west down", "every request accounted for");
    }
}
