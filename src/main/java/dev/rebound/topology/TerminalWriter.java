package dev.rebound.topology;

import dev.rebound.config.ReboundConfig;
import dev.rebound.lifecycle.Step;
import dev.rebound.lifecycle.Terminals;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.AgentResult;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.Json;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Writes a request's one terminal record: the record, its dedup entry and the deletion of its
 * in-flight entry, in the task's transaction. Every record is measured against the largest the
 * producer can send ({@code max.request.size} less room for key, headers and batch framing)
 * before anything is written, because a record the producer refuses fails the whole transaction
 * and, retried, would fail it again: a poison pill. An answer too large is found before the
 * lifecycle's steps run ({@link #tooLarge}), so that it can become that call's failure; a dead
 * letter too large is written without its history and echo.
 */
final class TerminalWriter {

    /** Room left in a record for its key, headers and batch overhead, under the producer's max.request.size. */
    static final int RECORD_OVERHEAD = 8 * 1024;

    private final ProcessorContext<String, Object> context;
    private final DedupStore dedup;
    private final InFlightStore inFlight;
    private final ReboundMetrics metrics;
    private final ReboundConfig config;
    private final int maxRecordBytes;
    /** The last record serialized while measuring it, and its bytes, so that writing it does not serialize it again. */
    private Object encodedRecord;
    private byte[] encodedBytes;

    TerminalWriter(final ProcessorContext<String, Object> context, final DedupStore dedup, final InFlightStore inFlight,
                   final ReboundMetrics metrics, final ReboundConfig config) {
        this.context = context;
        this.dedup = dedup;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.config = config;
        this.maxRecordBytes = config.maxRequestSize() - RECORD_OVERHEAD;
    }

    /** Whether request {@code id} had its terminal record within the dedup window. */
    boolean answered(final String id, final Instant now) {
        return dedup.find(id, now) != null;
    }

    /**
     * Repeats request {@code id}'s terminal record, marked as a replay, if it had one within the
     * dedup window: a request answered before is answered again, never called again. A result goes
     * where the repeated request asks ({@code replyTo}): that is where its sender listens.
     */
    boolean replayed(final String key, final String id, final Optional<String> replyTo, final Instant now) {
        final DedupStore.Stored stored = dedup.find(id, now);
        if (stored == null) {
            return false;
        }
        final Object value = Nodes.RESULTS_SINK.equals(stored.sink()) ? ResultRouting.address(stored.value(), replyTo) : stored.value();
        context.forward(new Record<String, Object>(key, value, now.toEpochMilli(),
                new RecordHeaders().add(Topics.DEDUP_REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8))), stored.sink());
        return true;
    }

    /** Whether the steps' terminal record carries a call's answer too large to write. */
    boolean tooLarge(final List<Step> steps) {
        for (final Step step : steps) {
            if (step instanceof Step.Terminal t && t.answeredBy().isPresent()) {
                return encode(t.record()).length > maxRecordBytes;
            }
        }
        return false;
    }

    /** Why {@link #tooLarge} said so, for the attempt's message. */
    String tooLargeReason() {
        return "the answer would make a result of " + (encodedBytes == null ? "?" : encodedBytes.length) + " bytes, over the "
                + maxRecordBytes + " that the producer's max.request.size (" + config.maxRequestSize() + ") allows";
    }

    void write(final String id, final Step.Terminal t, final Instant now) {
        byte[] value = encode(t.record());
        Step.Sink sinkKind = t.sink();
        if (value.length > maxRecordBytes && t.record() instanceof DeadLetter dl) {
            value = Json.bytes(Terminals.trimmed(dl));
        } else if (value.length > maxRecordBytes && t.record() instanceof AgentResult r) {
            // a result that carries no call's answer (served from the cache or a static value) and still does not fit
            value = Json.bytes(Terminals.trimmed(Terminals.resultTooLarge(r, value.length, maxRecordBytes, now)));
            sinkKind = Step.Sink.DEAD_LETTER;
        }
        encodedRecord = null;
        encodedBytes = null;
        final String sink = sinkKind == Step.Sink.RESULT ? Nodes.RESULTS_SINK : Nodes.DEAD_LETTERS_SINK;
        emit(t.key(), sink, sinkKind == Step.Sink.RESULT ? ResultRouting.address(value, t.replyTo()) : value);
        dedup.put(id, sink, value, now);
        inFlight.delete(id);
        metrics.terminal(sinkKind == Step.Sink.RESULT ? "result" : "dead_letter", knownTarget(targetOf(t.record())),
                sinkKind == t.sink() ? t.label() : DeadLetterReason.FALLBACK_FAILED.name());
    }

    /** A dead letter for a record that never became a request (rejected at the door, or failed before it had an entry). */
    void rejected(final String key, final DeadLetter dl) {
        emit(key, Nodes.DEAD_LETTERS_SINK, Json.bytes(dl));
        metrics.terminal("dead_letter", knownTarget(dl.target()), dl.reason().name());
    }

    void emit(final String key, final String sink, final Object value) {
        context.forward(new Record<String, Object>(key, value, context.currentSystemTimeMs()), sink);
    }

    private byte[] encode(final Object record) {
        if (record != encodedRecord) {
            encodedBytes = Json.bytes(record);
            encodedRecord = record;
        }
        return encodedBytes;
    }

    /** A configured target's name, or {@code unknown}: meter tags never take raw input (one meter per string, for ever). */
    private String knownTarget(final String name) {
        return name != null && config.target(name).isPresent() ? name : "unknown";
    }

    private static String targetOf(final Object record) {
        if (record instanceof DeadLetter d) {
            return d.target();
        }
        return record instanceof AgentResult r ? r.target() : null;
    }
}
