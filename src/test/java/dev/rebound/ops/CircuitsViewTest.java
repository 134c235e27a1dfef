package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.request.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /circuits} lists a pool's endpoints under it, with their shares of the last minute's calls. */
class CircuitsViewTest {

    private static ObjectNode node(final String target, final String state, final long callsLastMinute) {
        final ObjectNode n = Json.MAPPER.createObjectNode().put("target", target).put("state", state);
        n.putObject("instance").put("callsLastMinute", callsLastMinute);
        return n;
    }

    @Test
    void shouldListEndpointsUnderTheirPoolWithTheirShares() {
        final Map<String, ObjectNode> byTarget = new TreeMap<>();
        byTarget.put("azure/east", node("azure/east", "CLOSED", 60));
        byTarget.put("azure/west", node("azure/west", "OPEN", 0));
        byTarget.put("azure/north", node("azure/north", "CLOSED", 20));
        byTarget.put("solo", node("solo", "CLOSED", 5));
        CircuitsView.nestEndpoints(byTarget);
        assertThat(byTarget).containsOnlyKeys("azure", "solo");
        final JsonNode pool = byTarget.get("azure");
        assertThat(pool.path("pool").asBoolean()).isTrue();
        assertThat(pool.path("state").asText()).as("admits while any endpoint does").isEqualTo("CLOSED");
        assertThat(pool.path("endpoints")).hasSize(3);
        assertThat(pool.path("endpoints")).anySatisfy(e -> {
            assertThat(e.path("endpoint").asText()).isEqualTo("east");
            assertThat(e.path("sharePercent").asDouble()).isEqualTo(75.0);
        });
        assertThat(pool.path("endpoints")).anySatisfy(e -> assertThat(e.path("sharePercent").asDouble()).isZero());
    }

    @Test
    void shouldShowAPoolOpenOnlyWhenEveryEndpointIs() {
        final Map<String, ObjectNode> byTarget = new TreeMap<>();
        byTarget.put("p/a", node("p/a", "OPEN", 0));
        byTarget.put("p/b", node("p/b", "OPEN", 0));
        CircuitsView.nestEndpoints(byTarget);
        assertThat(byTarget.get("p").path("state").asText()).isEqualTo("OPEN");
    }
}
