package dev.rebound.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.Json;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessingErrorHandlerTest {

    private static ErrorHandlerContext context(final byte[] key, final byte[] value) {
        return new ErrorHandlerContext() {
            public String topic() { return "p.agent-calls"; }
            public int partition() { return 2; }
            public long offset() { return 41; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return Nodes.EXECUTOR; }
            public TaskId taskId() { return new TaskId(0, 2); }
            public long timestamp() { return 0; }
            public byte[] sourceRawKey() { return key; }
            public byte[] sourceRawValue() { return value; }
        };
    }

    @Test
    void shouldDeadLetterTheRequestThatMetABugAndResume() throws Exception {
        final ProcessingErrorHandler handler = new ProcessingErrorHandler();
        handler.configure(Map.of(StreamsSettings.DEAD_LETTER_TOPIC, "p.agent-dead-letters"));
        final byte[] value = "{\"id\":\"r\"}".getBytes(StandardCharsets.UTF_8);

        final ProcessingExceptionHandler.Response response = handler.handleError(context("k".getBytes(), value),
                new Record<>("k", value, 0L), new IllegalStateException("boom"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        final var record = response.deadLetterQueueRecords().get(0);
        assertThat(record.topic()).isEqualTo("p.agent-dead-letters");
        assertThat(record.key()).isEqualTo("k".getBytes());
        final JsonNode dl = Json.MAPPER.readTree(record.value());
        assertThat(dl.path("reason").asText()).isEqualTo("PROCESSING_ERROR");
        assertThat(dl.path("message").asText()).contains("IllegalStateException: boom");
        assertThat(dl.path("request").asText()).isEqualTo("{\"id\":\"r\"}");
        assertThat(dl.path("source").path("offset").asLong()).isEqualTo(41);
    }

    @Test
    void shouldResumeWithoutARecordWhenAPunctuationFailed() {
        final ProcessingExceptionHandler.Response response = new ProcessingErrorHandler()
                .handleError(context(null, null), null, new RuntimeException("tick"));
        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }
}
