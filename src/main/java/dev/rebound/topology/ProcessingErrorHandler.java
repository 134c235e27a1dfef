package dev.rebound.topology;

import dev.rebound.lifecycle.Terminals;
import dev.rebound.request.DeadLetter;
import dev.rebound.request.Json;
import dev.rebound.request.Source;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The last line of defence (KIP-1033): an exception that escaped a processor is a bug in Rebound,
 * yet the request that met it must not be lost and the stream thread must not die. The request
 * goes to the dead-letter topic as {@code PROCESSING_ERROR} with its original bytes, and
 * processing resumes. An exception in a punctuation has no input record; it is logged and the
 * punctuation runs again on its next tick.
 */
public final class ProcessingErrorHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessingErrorHandler.class);
    /** No secrets are known here; the executor masked what came from targets before any of it could reach an exception. */
    private static final Terminals TERMINALS = new Terminals(UnaryOperator.identity());
    private String deadLetterTopic = Topics.DEAD_LETTERS;

    @Override
    public void configure(final Map<String, ?> configs) {
        final Object topic = configs.get(StreamsSettings.DEAD_LETTER_TOPIC);
        if (topic != null) {
            deadLetterTopic = topic.toString();
        }
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final Record<?, ?> record, final Exception exception) {
        LOG.error("bug: processor {} failed in task {} at {}-{}@{}", context.processorNodeId(), context.taskId(),
                context.topic(), context.partition(), context.offset(), exception);
        if (exception instanceof StreamsException) {
            // Kafka's own failure (a store, the producer), not one request's: writing a dead letter
            // beside what the record already wrote could make a second terminal record; failing
            // aborts the transaction and the replaced thread reprocesses from the last commit
            return Response.fail();
        }
        if (context.sourceRawValue() == null && context.sourceRawKey() == null) {
            return Response.resume();
        }
        final Instant now = Instant.now();
        final DeadLetter dl = TERMINALS.processingError(context.sourceRawValue(), new Source(context.topic(), context.partition(),
                context.offset()), exception.getClass().getSimpleName() + ": " + exception.getMessage(), now);
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, context.sourceRawKey(), Json.bytes(dl))));
    }
}
