package dev.rebound.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.circuit.CircuitRecord;
import dev.rebound.circuit.OwnerState;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.ratelimit.QuotaLedger;
import dev.rebound.ratelimit.QuotaRecord;
import dev.rebound.request.Priority;
import dev.rebound.request.Json;
import dev.rebound.topology.StoreNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry view behind {@code /circuits}, by interactive queries: every circuit's last
 * transition from the global store (the same on every instance), each rate limit's last summary,
 * and, for the targets whose owner task runs on this instance, the live window figures from the
 * owner store.
 */
final class CircuitsView {

    private CircuitsView() {
    }

    /** A target with no circuit record yet: it has never left CLOSED, healthy, with all of its traffic. */
    private static ObjectNode neverOpened(final String target) {
        final ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("target", target);
        n.put("state", "CLOSED");
        n.put("health", "HEALTHY");
        n.put("trafficPercent", 100);
        return n;
    }

    /**
     * This instance's live figures per target, from its meters: calls in flight and how many may be
     * (maxInFlight, or the adaptive limit of {@code concurrency: auto}), the retry budget
     * left (summed over its tasks) and the failure rate in the error window (the highest of its
     * tasks). A target with no circuit record yet is listed as CLOSED with full traffic.
     */
    private static void instanceFigures(final Map<String, ObjectNode> byTarget, final ReboundMetrics metrics) {
        for (final Meter m : metrics.registry().getMeters()) {
            final String name = m.getId().getName();
            final String target = m.getId().getTag("target");
            if (target == null || !(m instanceof Gauge g)) {
                continue;
            }
            final String field = switch (name) {
                case "rebound.in.flight" -> "inFlight";
                case "rebound.concurrency.limit" -> "concurrencyLimit";
                case "rebound.retry.budget.left" -> "retryBudgetLeft";
                case "rebound.calls.last.minute" -> "callsLastMinute";
                case "rebound.errors.failure.rate" -> "failureRate";
                default -> null;
            };
            if (field == null) {
                continue;
            }
            final ObjectNode node = byTarget.computeIfAbsent(target, CircuitsView::neverOpened);
            final ObjectNode here = node.has("instance") ? (ObjectNode) node.get("instance") : node.putObject("instance");
            final double v = g.value();
            final double before = here.path(field).asDouble(Double.NaN);
            here.put(field, Double.isNaN(before) ? v : "failureRate".equals(field) ? Math.max(before, v) : before + v);
        }
    }

    /**
     * Each rate-limited target's quota as its owner last published it (the same on every instance):
     * what is left in the window, the requests waiting by priority, the provider's last word.
     */
    private static void quotas(final KafkaStreams streams, final Map<String, ObjectNode> byTarget) {
        final ReadOnlyKeyValueStore<String, QuotaRecord> quota = streams.store(
                StoreQueryParameters.fromNameAndType(StoreNames.QUOTA, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, QuotaRecord> it = quota.all()) {
            while (it.hasNext()) {
                final QuotaRecord r = it.next().value;
                if (r == null || !r.summary() || r.view() == null) { // null: deleted while iterated (an in-memory global store)
                    continue;
                }
                final ObjectNode node = byTarget.computeIfAbsent(r.target(), CircuitsView::neverOpened);
                final QuotaLedger.View v = r.view();
                final ObjectNode q = node.putObject("rateLimit");
                if (v.requestsLeftInWindow() >= 0) {
                    q.put("requestsLeft", v.requestsLeftInWindow());
                }
                if (v.tokensLeftInWindow() >= 0) {
                    q.put("tokensLeft", v.tokensLeftInWindow());
                }
                final ObjectNode waiting = q.putObject("waiting");
                for (final Priority p : Priority.values()) {
                    waiting.put(p.label(), v.waiting()[p.ordinal()]);
                }
                if (v.providerRemainingRequests() != null) {
                    q.put("providerRemainingRequests", v.providerRemainingRequests());
                }
                if (v.providerRemainingTokens() != null) {
                    q.put("providerRemainingTokens", v.providerRemainingTokens());
                }
                if (r.pausedUntil() != null) {
                    q.put("pausedUntil", r.pausedUntil().toString());
                }
                q.put("callingTasks", v.tasks());
            }
        }
    }

    /**
     * A pool's endpoints ({@code <pool>/<endpoint>}) listed under their pool, each with its circuit,
     * health, traffic, this instance's calls in flight and its share of the pool's calls over the
     * last minute (from this instance).
     */
    static void nestEndpoints(final Map<String, ObjectNode> byTarget) {
        final Map<String, ArrayNode> pools = new TreeMap<>();
        for (final String name : List.copyOf(byTarget.keySet())) {
            final int slash = name.indexOf('/');
            if (slash > 0) {
                final ObjectNode endpoint = byTarget.remove(name);
                endpoint.put("endpoint", name.substring(slash + 1));
                pools.computeIfAbsent(name.substring(0, slash), p -> Json.MAPPER.createArrayNode()).add(endpoint);
            }
        }
        pools.forEach((pool, endpoints) -> {
            double total = 0;
            for (final var e : endpoints) {
                total += e.path("instance").path("callsLastMinute").asDouble(0);
            }
            for (final var e : endpoints) {
                final double calls = e.path("instance").path("callsLastMinute").asDouble(0);
                ((ObjectNode) e).put("sharePercent", total == 0 ? 0 : Math.round(1000 * calls / total) / 10.0);
            }
            final ObjectNode node = byTarget.computeIfAbsent(pool, p -> {
                final ObjectNode n = Json.MAPPER.createObjectNode();
                n.put("target", p);
                n.put("state", "CLOSED");
                return n;
            });
            node.put("pool", true);
            boolean allOpen = !endpoints.isEmpty();
            for (final var e : endpoints) {
                allOpen &= "OPEN".equals(e.path("state").asText());
            }
            node.put("state", allOpen ? "OPEN" : "CLOSED"); // a pool admits calls while any endpoint does
            node.set("endpoints", endpoints);
        });
    }

    static String json(final KafkaStreams streams, final ReboundMetrics metrics) {
        final Map<String, ObjectNode> byTarget = new TreeMap<>();
        try {
            final ReadOnlyKeyValueStore<String, CircuitRecord> circuits = streams.store(
                    StoreQueryParameters.fromNameAndType(StoreNames.CIRCUITS, QueryableStoreTypes.keyValueStore()));
            try (KeyValueIterator<String, CircuitRecord> it = circuits.all()) {
                while (it.hasNext()) {
                    final KeyValue<String, CircuitRecord> kv = it.next();
                    if (kv.value != null) { // null: deleted while iterated (an in-memory global store)
                        byTarget.put(kv.key, Json.MAPPER.valueToTree(kv.value));
                    }
                }
            }
            final ReadOnlyKeyValueStore<String, OwnerState> owned = streams.store(
                    StoreQueryParameters.fromNameAndType(StoreNames.CIRCUIT_OWNER, QueryableStoreTypes.keyValueStore()));
            final Instant now = Instant.now();
            try (KeyValueIterator<String, OwnerState> it = owned.all()) {
                while (it.hasNext()) {
                    final KeyValue<String, OwnerState> kv = it.next();
                    final ObjectNode node = byTarget.computeIfAbsent(kv.key, k -> {
                        final ObjectNode n = Json.MAPPER.createObjectNode();
                        n.put("target", k);
                        n.put("state", kv.value.state().name());
                        n.put("health", kv.value.health().state().name());
                        n.put("trafficPercent", kv.value.health().percent());
                        return n;
                    });
                    final ObjectNode window = node.putObject("window");
                    window.put("ownedHere", true);
                    window.put("calls", kv.value.window().calls(now));
                    window.put("failureRate", kv.value.window().failureRate(now));
                    window.put("slowCallRate", kv.value.window().slowCallRate(now));
                    window.put("rateLimited", kv.value.window().rateLimited(now));
                    window.put("consecutiveFailures", kv.value.window().consecutiveFailures());
                }
            }
            quotas(streams, byTarget);
        } catch (final InvalidStateStoreException notReady) {
            final ObjectNode err = Json.MAPPER.createObjectNode();
            err.put("error", "stores are not queryable yet (" + streams.state() + ")");
            return err.toString();
        }
        instanceFigures(byTarget, metrics);
        nestEndpoints(byTarget);
        final ArrayNode out = Json.MAPPER.createArrayNode();
        byTarget.values().forEach(out::add);
        return out.toString();
    }
}
