package dev.rebound.circuit;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** An outcome's category is an {@link ErrorCategory} in code and its name on {@code agent-outcomes}. */
class OutcomeTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldWriteTheCategoryByName() {
        final Outcome o = new Outcome("chat", T0, false, ErrorCategory.RATE_LIMITED, 40, "0_1");

        final String json = Json.text(o);

        assertThat(json).contains("\"category\":\"RATE_LIMITED\"");
        assertThat(Json.read(json.getBytes(StandardCharsets.UTF_8), Outcome.class)).isEqualTo(o);
    }

    @Test
    void shouldReadAnOutcomeWrittenWithTheCategoryAsText() {
        final String sent = "{\"target\":\"chat\",\"at\":\"2026-01-01T00:00:00Z\",\"success\":false,\"category\":\"SERVER_ERROR\","
                + "\"durationMs\":12,\"task\":\"0_3\"}";

        final Outcome o = Json.read(sent.getBytes(StandardCharsets.UTF_8), Outcome.class);

        assertThat(o.category()).isEqualTo(ErrorCategory.SERVER_ERROR);
        assertThat(o.task()).isEqualTo("0_3");
    }

    @Test
    void shouldCarryNoCategoryForASuccess() {
        final Outcome ok = new Outcome("chat", T0, true, null, 40, "0_1");

        assertThat(Json.read(Json.bytes(ok), Outcome.class).category()).isNull();
    }
}
