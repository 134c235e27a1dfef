package dev.rebound.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.config.ReboundConfig;
import dev.rebound.request.Json;
import dev.rebound.topology.DedupStore;
import dev.rebound.topology.ReboundTopology;
import dev.rebound.topology.StoreNames;
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
import java.nio.ByteBuffer;
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
 * asks for every request and this one does not do: reading the request's JSON and its id (a
 * record without one gets an error answer: bad input never stops the thread); the same id never
 * called twice (DESIGN §2), so a lookup in the dedup window, Rebound's own store
 * ({@link ReboundTopology#dedupStore}, the same bounds), and one in the in-flight store before the
 * entry is written, and one changelogged write of the terminal record to the window; the entry
 * keeps the time first seen; and a result with the fields of DESIGN §3. It leaves out what the
 * contract asks on top that costs more than a lookup or a count per request: validation beyond
 * the id, circuits (whose outcomes reach their owner aggregated per tick), retries, fallbacks.
 * Rebound can be no faster than this side: the ratio to it says what Rebound's code costs beyond
 * what its contract costs any implementation on Kafka Streams.
 */
final class SmallestDurableExecutor implements Processor<String, byte[], String, byte[]> {

    static final String STORE = "in-flight";
    /** Rebound's drain interval (the {@code CallProcessor}'s). */
    static final Duration DRAIN = Duration.ofMillis(5);
    /** Rebound's default dedup window. */
    static final Duration DEDUP_WINDOW = ReboundConfig.DEFAULT_DEDUP_WINDOW;
    /** The contract floor's answer to a record it cannot read an id from. */
    static final byte[] UNREADABLE = Json.bytes(Json.MAPPER.createObjectNode().putNull("id").put("reason", "INVALID_REQUEST"));

    private static final String SOURCE = "requests";
    private static final String PROCESSOR = "execute";
    private static final String SINK = "results";

    /**
     * A finished call: its in-flight entry's key, the caller's key, the request as read (for the
     * contract's floor; {@code null} for the durable executor, whose answer is the request itself)
     * and when it was first seen.
     */
    private record Done(String id, String key, byte[] request, JsonNode read, long firstSeen) {
    }

    private final boolean contract;
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

    /** The same, plus what the contract asks for every request (the class's last paragraph). */
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
            t.addStateStore(ReboundTopology.dedupStore(DEDUP_WINDOW), PROCESSOR);
        }
        t.addSink(SINK, output, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        return t;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inFlight = context.getStateStore(STORE);
        this.dedup = contract ? context.getStateStore(StoreNames.DEDUP) : null;
        try (KeyValueIterator<String, byte[]> restored = inFlight.all()) {
            // the answer is keyed by the id, not the caller's key, which the entry does not keep: the bench keys its requests by id
            restored.forEachRemaining(e -> done.add(contract ? restored(e.key, e.value) : new Done(e.key, e.key, e.value, null, 0)));
        }
        context.schedule(DRAIN, PunctuationType.WALL_CLOCK_TIME, now -> drain());
    }

    @Override
    public void process(final Record<String, byte[]> request) {
        if (!contract) {
            inFlight.put(request.key(), request.value());
            done.add(new Done(request.key(), request.key(), request.value(), null, 0));
            return;
        }
        final JsonNode read = read(request.value());
        final JsonNode idNode = read == null ? null : read.get("id");
        if (idNode == null || !idNode.isTextual()) {
            context.forward(request.withValue(UNREADABLE));
            return;
        }
        final String id = idNode.asText();
        final long now = context.currentSystemTimeMs();
        try (WindowStoreIterator<byte[]> answered = DedupStore.newestFirst(dedup, id, DEDUP_WINDOW, now)) {
            if (answered.hasNext()) {
                context.forward(request.withValue(answered.next().value));
                return;
            }
        }
        if (inFlight.get(id) != null) {
            return; // the same id in flight: its one answer is on its way
        }
        inFlight.put(id, ByteBuffer.allocate(Long.BYTES + request.value().length).putLong(now).put(request.value()).array());
        done.add(new Done(id, request.key(), request.value(), read, now));
    }

    private void drain() {
        for (Done d = done.poll(); d != null; d = done.poll()) {
            final long now = context.currentSystemTimeMs();
            final byte[] answer = contract ? result(d, now) : d.request();
            context.forward(new Record<>(d.key(), answer, now));
            if (contract) {
                dedup.put(d.id(), answer, now);
            }
            inFlight.delete(d.id());
        }
    }

    /** An entry of the contract's floor restored from the changelog: the time first seen, then the request. */
    private static Done restored(final String id, final byte[] entry) {
        final ByteBuffer b = ByteBuffer.wrap(entry);
        final long firstSeen = b.getLong();
        final byte[] request = new byte[b.remaining()];
        b.get(request);
        return new Done(id, id, request, read(request), firstSeen);
    }

    /** The request's JSON, or {@code null} for bytes that are not JSON. */
    private static JsonNode read(final byte[] request) {
        try {
            return request == null ? null : Json.MAPPER.readTree(request);
        } catch (final IOException e) {
            return null;
        }
    }

    /** A result with the fields of DESIGN §3; the instant target's answer is the request's payload. */
    private static byte[] result(final Done d, final long now) {
        final JsonNode target = d.read().path("target");
        final ObjectNode r = Json.MAPPER.createObjectNode().put("id", d.id()).put("target", target.asText()).put("outcome", "SUCCEEDED")
                .put("servedBy", target.asText()).put("degraded", false);
        r.set("response", d.read().path("payload"));
        r.put("httpStatus", 200).put("attempts", 1).putNull("lastError").put("latencyMs", now - d.firstSeen());
        r.set("metadata", d.read().path("metadata").isObject() ? d.read().get("metadata") : null);
        return Json.bytes(r);
    }
}
