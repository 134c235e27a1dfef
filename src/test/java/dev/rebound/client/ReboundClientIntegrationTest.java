package dev.rebound.client;

import dev.rebound.sim.SimScenario;
import dev.rebound.testkit.IntegrationConfig;
import dev.rebound.testkit.LiveRebound;
import dev.rebound.testkit.SharedKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReboundClient} against a live Rebound on the shared broker: calls end in results and dead
 * letters, a second client attaches to a request the first sent before it went away, a wait that
 * ends forgets nothing, many threads share one client (and its one consumer), close ends what
 * waits, and a client with its own reply topic reads its results there.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReboundClientIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static LiveRebound live;
    private static String prefix;

    @BeforeAll
    static void start() throws Exception {
        live = LiveRebound.start(dir, 3, SimScenario.named("healthy"), 2, (bootstrap, p, state, port) ->
                IntegrationConfig.yaml(bootstrap, p, state, port, 64) + "results:\n  replyTopics: [\"" + p + "replies-*\"]\n");
        prefix = live.topics().name("");
        SharedKafka.get().createTopics(List.of(new NewTopic(prefix + "replies-planner", 2, (short) 1)));
    }

    @AfterAll
    static void stop() {
        live.close();
    }

    private static ReboundClient client() throws Exception {
        return ReboundClient.builder(SharedKafka.get().bootstrapServers()).topicPrefix(prefix).build();
    }

    private static Map<String, Object> payload(final long latencyMs) {
        return Map.of("q", "hello", "simulate", Map.of("latencyMs", latencyMs));
    }

    @Test
    void shouldCompleteACallWithItsResult() throws Exception {
        try (ReboundClient client = client()) {
            final Outcome outcome = client.call("llm", payload(0), CallOptions.defaults().id("call-1").metadata(Map.of("agent", "t")))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOf(Outcome.Result.class);
            final Outcome.Result r = (Outcome.Result) outcome;
            assertThat(r.id()).isEqualTo("call-1");
            assertThat(r.key()).as("the key defaults to the id").isEqualTo("call-1");
            assertThat(r.succeeded()).isTrue();
            assertThat(r.servedBy()).isEqualTo("llm");
            assertThat(r.response().path("idempotencyKey").asText()).isEqualTo("call-1");
            assertThat(r.metadata().path("agent").asText()).isEqualTo("t");
            assertThat(client.waiting()).isZero();
        }
    }

    @Test
    void shouldCompleteACallToAnUnknownTargetWithItsDeadLetter() throws Exception {
        try (ReboundClient client = client()) {
            final Outcome outcome = client.call("no-such-target", payload(0)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOf(Outcome.DeadLetter.class);
            final Outcome.DeadLetter d = (Outcome.DeadLetter) outcome;
            assertThat(d.reason()).isEqualTo("UNKNOWN_TARGET");
            assertThat(d.message()).contains("no-such-target");
        }
    }

    @Test
    void shouldAttachToARequestSentByAClientThatWentAway() throws Exception {
        // given a request answered before anyone attaches, and one still running when its sender goes
        final CallOptions answered = CallOptions.defaults().id("gone-1").key("session-7");
        final CallOptions running = CallOptions.defaults().id("gone-2").key("session-7");
        try (ReboundClient first = client()) {
            first.call("llm", payload(0), answered).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            first.call("llm", payload(1500), running);
        } // closed with gone-2 still running: its future ends, the request goes on

        // when another client attaches by key and id
        try (ReboundClient second = client()) {
            final Outcome before = second.attach("session-7", "gone-1").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            final Outcome after = second.attach("session-7", "gone-2").get(WAIT.toSeconds(), TimeUnit.SECONDS);

            // then each gets its own answer, read back from the topic or awaited
            assertThat(before.id()).isEqualTo("gone-1");
            assertThat(((Outcome.Result) before).response().path("idempotencyKey").asText()).isEqualTo("gone-1");
            assertThat(after.id()).isEqualTo("gone-2");
            assertThat(after.key()).isEqualTo("session-7");
            assertThat(live.sim().calls("gone-2")).as("attaching never calls again").isEqualTo(1);
        }
    }

    @Test
    void shouldEndTheWaitButNotTheRequestWhenTheWaitTimesOut() throws Exception {
        try (ReboundClient client = client()) {
            final CompletableFuture<Outcome> future = client.call("llm", payload(2000),
                    CallOptions.defaults().id("slow-1").key("k-slow").waitAtMost(Duration.ofMillis(300)));

            assertThatThrownBy(() -> future.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WaitTimedOut.class)
                    .satisfies(e -> {
                        assertThat(((WaitTimedOut) e).key()).isEqualTo("k-slow");
                        assertThat(((WaitTimedOut) e).id()).isEqualTo("slow-1");
                    });
            assertThat(client.waiting()).as("the ended wait is forgotten, not the request").isZero();

            final Outcome later = client.attach("k-slow", "slow-1").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(later).isInstanceOf(Outcome.Result.class);
            assertThat(later.id()).isEqualTo("slow-1");
        }
    }

    @Test
    void shouldCorrelateManyConcurrentCallsOverOneConsumer() throws Exception {
        final int threads = 4;
        final int perThread = 25;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ReboundClient client = client()) {
            final List<Future<List<CompletableFuture<Outcome>>>> sent = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                sent.add(pool.submit(() -> {
                    final List<CompletableFuture<Outcome>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(client.call("llm", payload(20), CallOptions.defaults().id("many-" + thread + "-" + i).key("s" + (i % 5))));
                    }
                    return mine;
                }));
            }
            assertThat(readers()).as("one consumer per client, not per call").isEqualTo(1);
            for (int t = 0; t < threads; t++) {
                final List<CompletableFuture<Outcome>> mine = sent.get(t).get();
                for (int i = 0; i < perThread; i++) {
                    final Outcome o = mine.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    final String id = "many-" + t + "-" + i;
                    assertThat(o.id()).isEqualTo(id);
                    assertThat(((Outcome.Result) o).response().path("idempotencyKey").asText()).isEqualTo(id);
                    assertThat(o.key()).isEqualTo("s" + (i % 5));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldEndWaitingFuturesAndReleaseTheConsumerOnClose() throws Exception {
        final int before = readers();
        final ReboundClient client = client();
        assertThat(readers()).isEqualTo(before + 1);
        final CompletableFuture<Outcome> pending = client.call("llm", payload(3000));

        client.close();

        assertThat(pending).isCompletedExceptionally();
        assertThatThrownBy(pending::join).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("attach(key, id)");
        assertThat(readers()).as("the reader thread ended and closed its consumer").isEqualTo(before);
        assertThatThrownBy(() -> client.call("llm", payload(0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReadResultsFromItsOwnReplyTopic() throws Exception {
        try (ReboundClient own = ReboundClient.builder(SharedKafka.get().bootstrapServers()).topicPrefix(prefix)
                .replyTopic(prefix + "replies-planner").build();
             ReboundClient wrong = ReboundClient.builder(SharedKafka.get().bootstrapServers()).topicPrefix(prefix)
                     .replyTopic(prefix + "agent-results").build()) {
            final Outcome mine = own.call("llm", payload(0), CallOptions.defaults().id("reply-1")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            final Outcome refused = wrong.call("llm", payload(0), CallOptions.defaults().id("reply-2")).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            // the own client reads only its reply topic (and dead letters): the result could only come from there
            assertThat(mine).isInstanceOf(Outcome.Result.class);
            assertThat(mine.id()).isEqualTo("reply-1");
            assertThat(refused).isInstanceOf(Outcome.DeadLetter.class);
            assertThat(((Outcome.DeadLetter) refused).reason()).isEqualTo("INVALID_REQUEST");
            assertThat(((Outcome.DeadLetter) refused).message()).contains("results.replyTopics").contains(prefix + "replies-*");
        }
    }

    private static int readers() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("rebound-client-reader")).count();
    }

}
