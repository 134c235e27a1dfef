package dev.rebound.testkit;

import dev.rebound.app.ReboundStreams;
import dev.rebound.config.ReboundConfig;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.metrics.ReboundMetrics;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** Processor instances in the test JVM, as the multi-instance integration tests start and wait for them. */
public final class Instances {

    private Instances() {
    }

    /** An instance calling its targets over real HTTP, with its own metrics. */
    public static ReboundStreams start(final ReboundConfig config) {
        return ReboundStreams.start(config, TargetPool.http(config, HttpTargetExecutor.defaultClient(), Clock.systemUTC()),
                new ReboundMetrics(), Map.of());
    }

    /** The active tasks this instance holds now. */
    public static int activeTasks(final ReboundStreams instance) {
        return instance.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /**
     * Waits until every instance runs (60 s each at most) and then holds at least one active task
     * (30 s at most): the group has settled on all of them.
     */
    public static void awaitActive(final ReboundStreams... instances) throws Exception {
        for (final ReboundStreams r : instances) {
            r.awaitRunning(Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Arrays.stream(instances).allMatch(r -> activeTasks(r) > 0));
    }
}
