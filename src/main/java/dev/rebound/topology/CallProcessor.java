package dev.rebound.topology;

import dev.rebound.classify.Classification;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.CallOutcome;
import dev.rebound.execute.CallSpec;
import dev.rebound.execute.Completion;
import dev.rebound.execute.TargetPool;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Validates requests, starts their calls without blocking, and writes exactly one terminal record
 * per request.
 *
 * <p>Life of a request: {@code process} validates it (a bad one is dead-lettered at once), answers
 * a duplicate id from the dedup store, otherwise stores it in the in-flight store and submits its
 * attempt to the {@link CallDispatcher}. A wall-clock punctuator drains finished attempts, writes
 * the terminal record, records it in the dedup store and deletes the in-flight entry: all three
 * in the same Kafka transaction under exactly-once, so a crash either keeps all of them or none.
 *
 * <p>After a crash or a rebalance the in-flight store comes back from its changelog while the
 * calls that were running are gone; the first punctuation starts every restored entry again. The
 * repeated call carries the same {@code Idempotency-Key}.
 */
final class CallProcessor implements Processor<String, byte[], String, byte[]> {

    static final String DEDUP_REPLAY_HEADER = "rebound-dedup-replay";
    /** How often finished attempts are drained; bounds the added latency of a call. */
    static final Duration DRAIN_INTERVAL = Duration.ofMillis(5);
    /** At most this many completions are handled per punctuation, to keep each tick short. */
    private static final int MAX_DRAIN = 2_000;
    /** Above this many attempts waiting for a slot, {@code process} pushes back (see {@link #pushBack}). */
    static final int MAX_WAITING = 1_000;
    /** The longest {@code process} pushes back, well inside the 10 s transaction timeout of EOS. */
    private static final long MAX_PUSH_BACK_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(CallProcessor.class);

    private final ReboundConfig config;
    private final TargetPool pool;
    private final RequestParser parser;
    private final UnaryOperator<String> redact;

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, InFlightEntry> inFlight;
    private DedupStore dedup;
    private CallDispatcher dispatcher;
    private boolean resumed;

    CallProcessor(final ReboundConfig config, final TargetPool pool, final UnaryOperator<String> redact) {
        this.config = config;
        this.pool = pool;
        this.parser = new RequestParser(config.targets(), config.limits());
        this.redact = redact;
    }

    @Override
    public void init(final ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.inFlight = context.getStateStore(Stores.IN_FLIGHT);
        this.dedup = new DedupStore(context.getStateStore(Stores.DEDUP), config.dedupWindow());
        this.dispatcher = new CallDispatcher(pool::executor, pool::slots);
        this.resumed = false;
        context.schedule(DRAIN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final Instant now = now();
        final Source source = context.recordMetadata()
                .map(m -> new Source(m.topic(), m.partition(), m.offset()))
                .orElse(null);
        final ParseResult parsed = parser.parse(record.value(), now);
        if (parsed instanceof ParseResult.Rejected rejected) {
            LOG.info("rejected request at {}: {} {}", source, rejected.reason(), redact.apply(rejected.message()));
            emit(record.key(), Nodes.DEAD_LETTERS_SINK, redacted(Json.text(Terminals.rejected(rejected, source, now))));
            return;
        }
        final AgentRequest request = ((ParseResult.Valid) parsed).request();
        final DedupStore.Stored stored = dedup.find(request.id(), now);
        if (stored != null) {
            // answered before: repeat the stored outcome, never the call
            final Record<String, byte[]> replay = new Record<>(record.key(), stored.value(), now.toEpochMilli(),
                    new RecordHeaders().add(DEDUP_REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8)));
            context.forward(replay, stored.sink());
            return;
        }
        if (inFlight.get(request.id()) != null) {
            // the first copy is still running; its terminal record answers this one too
            LOG.debug("request {} is already in flight; duplicate ignored", request.id());
            return;
        }
        final InFlightEntry entry = InFlightEntry.first(record.key(), request, now, source);
        inFlight.put(request.id(), entry);
        startAttempt(request.id(), entry, now);
        pushBack();
    }

    /**
     * Back-pressure: when more attempts wait for a slot than {@link #MAX_WAITING}, handle finished
     * calls here, inside {@code process}, instead of reading more input. Bounded by
     * {@link #MAX_PUSH_BACK_MS} so that a stuck target cannot stall the transaction.
     */
    private void pushBack() {
        final long until = System.nanoTime() + MAX_PUSH_BACK_MS * 1_000_000;
        try {
            while (dispatcher.waiting() > MAX_WAITING && System.nanoTime() < until) {
                if (dispatcher.awaitOne(this::complete, 20)) {
                    dispatcher.startWaiting();
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void punctuate(final long timestamp) {
        if (!resumed) {
            resume();
            resumed = true;
        }
        dispatcher.drain(this::complete, MAX_DRAIN);
        dispatcher.startWaiting();
    }

    /** Starts every restored in-flight entry that is not already running here. */
    private void resume() {
        final Instant now = now();
        int restarted = 0;
        try (KeyValueIterator<String, InFlightEntry> it = inFlight.all()) {
            while (it.hasNext()) {
                final KeyValue<String, InFlightEntry> kv = it.next();
                if (!dispatcher.isActive(kv.key)) {
                    startAttempt(kv.key, kv.value, now);
                    restarted++;
                }
            }
        }
        if (restarted > 0) {
            LOG.info("task {}: restarted {} in-flight call(s) restored from the changelog", context.taskId(), restarted);
        }
    }

    private void startAttempt(final String id, final InFlightEntry entry, final Instant now) {
        final AgentRequest request = entry.agentRequest();
        final TargetConfig target = config.target(request.target()).orElse(null);
        if (target == null || target.kind() != TargetConfig.Kind.CALL) {
            terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.targetGone(entry, now)));
            return;
        }
        Duration timeout = target.timeout();
        if (request.deadline() != null) {
            final Duration left = Duration.between(now, request.deadline());
            if (left.isNegative() || left.isZero()) {
                terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.deadlineExceeded(entry, now)));
                return;
            }
            if (left.compareTo(timeout) < 0) {
                timeout = left;
            }
        }
        final byte[] body = request.payload().toString().getBytes(StandardCharsets.UTF_8);
        dispatcher.submit(new CallSpec(id, target.name(), entry.attempt(), body, timeout));
    }

    private void complete(final Completion c) {
        final String id = c.spec().requestId();
        final InFlightEntry entry = inFlight.get(id);
        if (entry == null || entry.attempt() != c.spec().attempt()) {
            // stale: the request ended already (e.g. restarted and answered by another attempt)
            return;
        }
        final Instant now = now();
        if (c.outcome() instanceof CallOutcome.Success s) {
            terminal(id, entry, Nodes.RESULTS_SINK, Json.text(Terminals.succeeded(entry, c.spec(), s, now)));
            return;
        }
        final CallOutcome.Failed f = (CallOutcome.Failed) c.outcome();
        final Classification cl = f.classification();
        final InFlightEntry failed = entry.withFailure(Terminals.attempt(c.spec(), f));
        final DeadLetterReason reason = cl.retryable() ? DeadLetterReason.RETRIES_EXHAUSTED : DeadLetterReason.NON_RETRYABLE;
        final String message = c.spec().target() + " failed with " + cl.category()
                + (cl.httpStatus() == null ? "" : " (HTTP " + cl.httpStatus() + ")") + ": " + cl.message()
                + (cl.retryable() ? "; retryable, but this version makes a single attempt" : "; not retryable");
        final DeadLetter dl = Terminals.failed(failed, cl, reason, message, now);
        terminal(id, failed, Nodes.DEAD_LETTERS_SINK, Json.text(dl));
    }

    /** Writes the terminal record, remembers it for dedup and forgets the in-flight entry: one transaction. */
    private void terminal(final String id, final InFlightEntry entry, final String sink, final String json) {
        final byte[] value = redacted(json);
        emit(entry.key(), sink, value);
        dedup.put(id, sink, value, now());
        inFlight.delete(id);
    }

    private void emit(final String key, final String sink, final byte[] value) {
        context.forward(new Record<>(key, value, context.currentSystemTimeMs()), sink);
    }

    /** Every record Rebound writes passes here: configured secrets never reach a topic. */
    private byte[] redacted(final String json) {
        return redact.apply(json).getBytes(StandardCharsets.UTF_8);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
