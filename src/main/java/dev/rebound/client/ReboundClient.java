package dev.rebound.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls through Rebound from an agent: {@code call(target, payload)} sends a request to
 * {@code agent-calls} and returns a future of its {@link Outcome}, a result or a dead letter.
 * Only kafka-clients and Jackson are needed (the {@code rebound-*-client.jar}).
 *
 * <pre>{@code
 * try (ReboundClient client = ReboundClient.builder("localhost:9092").build()) {
 *     Outcome outcome = client.call("openai-chat", Map.of("model", "gpt-4o-mini",
 *             "messages", List.of(Map.of("role", "user", "content", "Hello")))).get();
 *     if (outcome instanceof Outcome.Result r) {
 *         System.out.println(r.response());
 *     } else if (outcome instanceof Outcome.DeadLetter d) {
 *         System.out.println(d.reason() + ": " + d.message());
 *     }
 * }
 * }</pre>
 *
 * <p>Correlation is by request id, over one {@code read_committed} consumer per client (not per
 * call) that reads the results topic (or the client's {@linkplain Builder#replyTopic reply topic})
 * and the dead-letter topic; the producer is idempotent and the record key is the request's key
 * (default: its id). A wait that ends ({@link CallOptions#waitAtMost}, default
 * {@link Builder#defaultWait}) ends only the future, with {@link WaitTimedOut}: the request goes
 * on, and {@link #attach(String, String)} finds its outcome later, from this process or from
 * another one after this one crashed, because it reads the outcome back from the topic: only the
 * request's key and id need surviving.
 *
 * <p>Thread-safe: any number of threads may call and attach at once. Futures are completed on the
 * common fork-join pool, never on the consumer's thread. {@link #close()} ends every waiting future
 * with an {@link IllegalStateException} (the requests go on) and releases the producer and the consumer.
 */
public final class ReboundClient implements AutoCloseable {

    /** Topic names (DESIGN §1), before the prefix. */
    static final String CALLS = "agent-calls";
    static final String RESULTS = "agent-results";
    static final String DEAD_LETTERS = "agent-dead-letters";

    private final ObjectMapper mapper = new ObjectMapper();
    private final Producer<String, byte[]> producer;
    private final ReplyReader reader;
    private final Waiters waiters = new Waiters(ForkJoinPool.commonPool());
    private final ScheduledExecutorService timer;
    private final String calls;
    private final Optional<String> replyTopic;
    private final Duration defaultWait;
    private volatile boolean closed;

    private ReboundClient(final Builder b) {
        this.calls = b.prefix + CALLS;
        this.replyTopic = Optional.ofNullable(b.replyTopic);
        this.defaultWait = b.defaultWait;
        final Map<String, Object> common = new HashMap<>(b.properties);
        common.put("bootstrap.servers", b.bootstrapServers);
        final Map<String, Object> p = new HashMap<>(common);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        final Map<String, Object> c = new HashMap<>(common);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        try {
            this.reader = new ReplyReader(new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer()),
                    replyTopic.orElse(b.prefix + RESULTS), b.prefix + DEAD_LETTERS, waiters, mapper);
        } catch (final RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "rebound-client-timer");
            t.setDaemon(true);
            return t;
        });
        reader.start();
    }

    /** A client of the Rebound whose brokers are {@code bootstrapServers}. */
    public static Builder builder(final String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Calls {@code target} with {@code payload} (a JSON object: a {@code JsonNode}, a {@code Map}, a record...). */
    public CompletableFuture<Outcome> call(final String target, final Object payload) {
        return call(target, payload, CallOptions.defaults());
    }

    /** Calls {@code target} with {@code payload} and the given options (id, key, deadline, priority, policy, ...). */
    public CompletableFuture<Outcome> call(final String target, final Object payload, final CallOptions options) {
        ensureOpen();
        Objects.requireNonNull(target, "target");
        final JsonNode body = mapper.valueToTree(Objects.requireNonNull(payload, "payload"));
        if (!body.isObject()) {
            throw new IllegalArgumentException("payload must be a JSON object, was " + body.getNodeType());
        }
        final String id = options.id().orElseGet(() -> UUID.randomUUID().toString());
        final String key = options.key().orElse(id);
        final ObjectNode request = mapper.createObjectNode().put("id", id).put("target", target);
        request.set("payload", body);
        options.deadline().ifPresent(d -> request.put("deadline", d.toString()));
        options.timeout().ifPresent(t -> request.put("timeoutMs", t.toMillis()));
        options.priority().ifPresent(pr -> request.put("priority", pr.label()));
        options.policy().ifPresent(pol -> request.set("policy", mapper.valueToTree(pol)));
        options.metadata().ifPresent(m -> request.set("metadata", mapper.valueToTree(m)));
        options.cacheKey().ifPresent(k -> request.put("cacheKey", k));
        replyTopic.ifPresent(t -> request.put("replyTo", t));
        final byte[] value;
        try {
            value = mapper.writeValueAsBytes(request);
        } catch (final JsonProcessingException e) {
            throw new IllegalArgumentException("the request cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        // waiting before sending: the outcome cannot arrive before anyone waits for it
        final CompletableFuture<Outcome> future = await(key, id, options.waitAtMost().orElse(defaultWait));
        try {
            producer.send(new ProducerRecord<>(calls, key, value), (metadata, e) -> {
                if (e != null) {
                    waiters.remove(id, future);
                    future.completeExceptionally(e);
                }
            });
        } catch (final RuntimeException e) {
            waiters.remove(id, future);
            future.completeExceptionally(e);
        }
        return future;
    }

    /**
     * The outcome of request {@code id} sent earlier with record key {@code key} (the id itself when
     * none was given), by this process or another, even one that has crashed since: read back
     * from the beginning of the key's partition, then awaited if it has not come yet.
     */
    public CompletableFuture<Outcome> attach(final String key, final String id) {
        return attach(key, id, null, defaultWait);
    }

    /**
     * As {@link #attach(String, String)}, reading only outcomes written since {@code since}
     * ({@code null}: from the beginning), and waiting at most {@code wait}.
     */
    public CompletableFuture<Outcome> attach(final String key, final String id, final Instant since, final Duration wait) {
        ensureOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(id, "id");
        final CompletableFuture<Outcome> future = await(key, id, Objects.requireNonNull(wait, "wait"));
        reader.rewind(key, since);
        return future;
    }

    /** How many requests this client is waiting for (for tests and metrics). */
    public int waiting() {
        return waiters.size();
    }

    private CompletableFuture<Outcome> await(final String key, final String id, final Duration wait) {
        final CompletableFuture<Outcome> future = new CompletableFuture<>();
        waiters.add(id, future);
        final ScheduledFuture<?> timeout = timer.schedule(() -> {
            waiters.remove(id, future);
            future.completeExceptionally(new WaitTimedOut(key, id, wait));
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
        future.whenComplete((o, e) -> timeout.cancel(false));
        return future;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
    }

    /** Ends every waiting future (the requests go on) and releases the producer, the consumer and the timer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.close();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(Duration.ofSeconds(5));
            timer.shutdownNow();
            waiters.failAll(new IllegalStateException("the client was closed before the outcome arrived; the request goes on, "
                    + "and attach(key, id) finds its outcome later"));
        }
    }

    /** How to reach Rebound; {@link #build()} connects and returns a client ready to call. */
    public static final class Builder {

        private final String bootstrapServers;
        private final Map<String, Object> properties = new HashMap<>();
        private String prefix = "";
        private String replyTopic;
        private Duration defaultWait = Duration.ofMinutes(15);

        private Builder(final String bootstrapServers) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers must be host:port[,host:port...]");
            }
            this.bootstrapServers = bootstrapServers;
        }

        /** The topic prefix Rebound is configured with ({@code topics.prefix}). Default: none. */
        public Builder topicPrefix(final String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * This client's own reply topic, a full topic name (no prefix added) that Rebound's
         * {@code results.replyTopics} allows: every request carries it as {@code replyTo}, and the
         * client reads its results there instead of the shared results topic. Default: none.
         */
        public Builder replyTopic(final String topic) {
            if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("replyTopic must be a topic name, was " + topic);
            }
            this.replyTopic = topic;
            return this;
        }

        /** A Kafka client property for both the producer and the consumer (security, timeouts). */
        public Builder property(final String name, final Object value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * How long a future waits when the call gives no {@link CallOptions#waitAtMost}. Default:
         * 15 minutes, more than Rebound's default request timeout (10 minutes).
         */
        public Builder defaultWait(final Duration wait) {
            if (wait == null || wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("defaultWait must be positive, was " + wait);
            }
            this.defaultWait = wait;
            return this;
        }

        public ReboundClient build() {
            return new ReboundClient(this);
        }
    }
}
