package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.request.Json;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 *
 * <p>{@linkplain #contract The contract's floor}, the third side: the same, plus what the contract
 * asks of any implementation for every request and this one does not do: a dedup window (DESIGN
 * §2: the same id within 24 h is answered, never called again), so one lookup per request and one
 * changelogged write of its terminal record, in a window store configured as Rebound's; reading
 * the request's JSON; and a JSON result carrying the answer. Still nothing of Rebound's own code.
 * Rebound can be no faster than this side: the ratio to it says what Rebound's code costs beyond
 * what its contract costs.
 */
final class SmallestDurableExecutor implements Processor<String, byte[], String, byte[]> {

    static final String STORE = "in-flight";
    /** Rebound's drain interval (the {@code CallProcessor}'s). */
    static final Duration DRAIN = Duration.ofMillis(5);
    static final String DEDUP = "dedup";
    /** Rebound's default dedup window. */
    static final Duration DEDUP_WINDOW = Duration.ofHours(24);

    private static final String SOURCE = "requests";
    private static final String PROCESSOR = "execute";
    private static final String SINK = "results";

    private final boolean contract;
    /** A finished call: its in-flight entry's key, and the record that answers it. */
    private record Done(String id, Record<String, byte[]> answer) {
    }

    private final Queue<Done> done = new ArrayDeque<>();
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> inFlight;
    private WindowStore<String, byte[]> dedup;

    private SmallestDurableExecutor(final boolean contract) {
        this.contract = contract;
    }

    /** Requests from {@code input}, one result each to {@code output}, exactly as Rebound's processor is wired. */
    static Topology topology(final String input, final String output) {
        return topology(input, output, false);
    }

    /** The same, plus the dedup window and the JSON that the contract asks for every request (the class's last paragraph). */
    static Topology contract(final String input, final String output) {
        return topology(input, output, true);
    }

    private static Topology topology(final String input, final String output, final boolean contract) {
        final Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
        t.addProcessor(PROCESSOR, () -> new SmallestDurableExecutor(contract), SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled(), PROCESSOR);
        if (contract) {
            // as ReboundTopology's dedup store
            t.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(DEDUP, DEDUP_WINDOW, DEDUP_WINDOW, false),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled(), PROCESSOR);
        }
        t.addSink(SINK, output, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        return t;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inFlight = context.getStateStore(STORE);
        this.dedup = contract ? context.getStateStore(DEDUP) : null;
        try (KeyValueIterator<String, byte[]> restored = inFlight.all()) {
            restored.forEachRemaining(e -> {
                // keyed by the id, not the caller's key, which the entry does not keep: the bench keys its requests by id
                final Record<String, byte[]> request = new Record<>(e.key, e.value, context.currentSystemTimeMs());
                done.add(new Done(e.key, contract ? request.withValue(result(e.key, read(e.value))) : request));
            });
        }
        context.schedule(DRAIN, PunctuationType.WALL_CLOCK_TIME, now -> drain());
    }

    @Override
    public void process(final Record<String, byte[]> request) {
        if (!contract) {
            inFlight.put(request.key(), request.value());
            done.add(new Done(request.key(), request));
            return;
        }
        final JsonNode read = read(request.value());
        final String id = read.path("id").asText();
        final long now = context.currentSystemTimeMs();
        try (WindowStoreIterator<byte[]> answered = dedup.backwardFetch(id, now - DEDUP_WINDOW.toMillis(), now)) {
            if (answered.hasNext()) {
                context.forward(request.withValue(answered.next().value));
                return;
            }
        }
        inFlight.put(id, request.value());
        done.add(new Done(id, request.withValue(result(id, read))));
    }

    private void drain() {
        for (Done d = done.poll(); d != null; d = done.poll()) {
            context.forward(d.answer());
            if (contract) {
                dedup.put(d.id(), d.answer().value(), context.currentSystemTimeMs());
            }
            inFlight.delete(d.id());
        }
    }

    private static JsonNode read(final byte[] request) {
        try {
            return Json.MAPPER.readTree(request);
        } catch (final IOException e) {
            throw new UncheckedIOException("an unreadable request", e);
        }
    }

    /** A result as small as the contract allows: the id, the status, the target and the answer (here the request's payload). */
    private static byte[] result(final String id, final JsonNode request) {
        final ObjectNode r = Json.MAPPER.createObjectNode().put("id", id).put("status", "SUCCEEDED").put("target", request.path("target").asText());
        r.set("response", request.path("payload"));
        return Json.bytes(r);
    }
}
