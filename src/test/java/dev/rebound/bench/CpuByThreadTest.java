package dev.rebound.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a round's CPU went: threads told apart by the names Kafka, the JDK and Rebound give them. */
class CpuByThreadTest {

    @Test
    void shouldTellTheApplicationsThreadsFromTheBrokersTheHttpClientsAndTheSimulators() {
        assertThat(CpuByThread.kind("b1.app-a6f-StreamThread-1")).isEqualTo("streams");
        assertThat(CpuByThread.kind("kafka-producer-network-thread | b1.app-a6f-StreamThread-1-producer")).isEqualTo("streams");
        assertThat(CpuByThread.kind("data-plane-kafka-request-handler-3")).isEqualTo("broker");
        assertThat(CpuByThread.kind("kafka-0-raft-io-thread")).isEqualTo("broker");
        assertThat(CpuByThread.kind("rebound-http-7")).isEqualTo("http");
        assertThat(CpuByThread.kind("HttpClient-1-SelectorManager")).isEqualTo("http");
        assertThat(CpuByThread.kind("simulator-2")).isEqualTo("simulator");
        assertThat(CpuByThread.kind("main")).isEqualTo("bench");
    }

    @Test
    void shouldCountTheTimeOfThreadsItCannotNameAsOtherSoTheKindsAddUpToTheProcess() {
        final CpuByThread before = CpuByThread.now();
        long x = 0;
        for (int i = 0; i < 20_000_000; i++) {
            x += i % 7;
        }
        final Map<String, Long> spent = CpuByThread.now().microsPerRequestSince(before, 1);
        assertThat(x).isPositive();
        assertThat(spent).containsKeys("bench", "other");
        assertThat(spent.get("bench")).as("this loop ran on a bench thread (the test's)").isPositive();
    }
}
