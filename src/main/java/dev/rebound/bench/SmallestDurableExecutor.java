package dev.rebound.bench;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The smallest durable executor, the second comparison side of {@code passthrough}: what any
 * processor must pay that keeps a request durably until its one result is out, with nothing of
 * Rebound's own (no JSON, no validation, no dedup, no circuits). {@code process()} writes the
 * request to a changelogged persistent key-value store (with the record cache, as Rebound's
 * in-flight store has) and queues it; a wall-clock punctuator every {@link #DRAIN} forwards its result
 * and deletes the entry.
 *
 * <p>Of the two shapes that fit that description (put, forward, delete all in {@code process()};
 * or put in {@code process()} and forward and delete from a punctuator a few ms later), this is
 * the second, because it is Rebound's (DESIGN §8): Rebound stores the request in its in-flight
 * store, its call finishes off the stream thread, and its drain punctuator (every 5 ms) forwards
 * the outcome and deletes the entry. Here the "call" is instant: the request is its own result.
 * Within a commit interval the cache folds the put and the delete of one key into a tombstone, so
 * the changelog gets at most one record per request, as Rebound's in-flight store does.
 *
 * <p>Durable, not only shaped like it: after a restart or a rebalance, {@link #init} queues again
 * every entry restored from the changelog, as Rebound restarts restored in-flight calls.
 */
final class SmallestDurableExecutor implements Processor<String, byte[], String, byte[]> {

    static final String STORE = "in-flight";
    /** Rebound's drain interval (the {@code CallProcessor}'s). */
    static final Duration DRAIN = Duration.ofMillis(5);

    private static final String SOURCE = "requests";
    private static final String PROCESSOR = "execute";
    private static final String SINK = "results";

    private final Queue<Record<String, byte[]>> done = new ArrayDeque<>();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> inFlight;

    /** Requests from {@code input}, one result each to {@code output}, exactly as Rebound's processor is wired. */
    static Topology topology(final String input, final String output) {
        final Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
        t.addProcessor(PROCESSOR, SmallestDurableExecutor::new, SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled(), PROCESSOR);
        t.addSink(SINK, output, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        return t;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inFlight = context.getStateStore(STORE);
        try (KeyValueIterator<String, byte[]> restored = inFlight.all()) {
            restored.forEachRemaining(e -> done.add(new Record<>(e.key, e.value, context.currentSystemTimeMs())));
        }
        context.schedule(DRAIN, PunctuationType.WALL_CLOCK_TIME, now -> drain());
    }

    @Override
    public void process(final Record<String, byte[]> request) {
        inFlight.put(request.key(), request.value());
        done.add(request);
    }

    private void drain() {
        for (Record<String, byte[]> r = done.poll(); r != null; r = done.poll()) {
            context.forward(r);
            inFlight.delete(r.key());
        }
    }
}
