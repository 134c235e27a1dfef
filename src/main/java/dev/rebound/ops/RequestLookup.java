package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebound.app.ReboundStreams;
import dev.rebound.config.FallbackStep;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.lifecycle.Lifecycle;
import dev.rebound.request.Json;
import dev.rebound.topology.DedupStore;
import dev.rebound.topology.StoreNames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * Answers {@code GET /requests/{key}/{id}} by interactive queries. A request's state lives in the
 * task that owns its KEY's partition (the in-flight store is keyed by id, but each task holds only
 * the requests of its partitions), so the key tells where to look: Kafka Streams names the
 * instance that owns it ({@code application.server}); this one reads its own stores for that
 * partition, or forwards the GET to the owner once. The forwarded GET carries
 * {@link #FORWARDED}, and an instance asked that way never forwards again: two instances that
 * disagree about the owner during a rebalance answer 503 instead of sending the GET round.
 *
 * <p>Statuses: 200 found (waiting, in flight, finished), 404 unknown, 503 not answerable yet
 * (rebalancing, stores restoring; ask again), 502 the owner did not answer.
 */
final class RequestLookup {

    /** The header of a GET forwarded by another instance. */
    static final String FORWARDED = "X-Rebound-Forwarded-By";
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    /** An HTTP answer: its status and JSON body. */
    record Answer(int status, ObjectNode body) {
    }

    private final ReboundStreams rebound;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    RequestLookup(final ReboundStreams rebound) {
        this.rebound = rebound;
    }

    /** @param forwardedBy the instance that forwarded this GET, or {@code null} when a user asked this one */
    Answer find(final RequestPath path, final String forwardedBy) {
        final KafkaStreams streams = rebound.streams();
        if (rebound.server().isEmpty()) {
            // no application.server (ops endpoint bound after start, or ops disabled): only the local stores can answer
            return local(path, null, "this instance (application.server is not set, so only its own partitions were searched)");
        }
        final HostInfo self = rebound.server().get();
        final KeyQueryMetadata owner = streams.queryMetadataForKey(StoreNames.IN_FLIGHT, path.key(), Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost().equals(HostInfo.unavailable())) {
            return notYet("no instance owns key '" + path.key() + "' yet (Kafka Streams is " + streams.state() + "); ask again shortly");
        }
        if (owner.activeHost().equals(self)) {
            return local(path, owner.partition(), endpoint(self));
        }
        if (forwardedBy != null) {
            return notYet(forwardedBy + " forwarded this GET here as the owner of key '" + path.key() + "' (partition " + owner.partition()
                    + "), but this instance sees " + endpoint(owner.activeHost()) + " as its owner: the partition is moving; ask again shortly");
        }
        return forward(path, owner, self);
    }

    private Answer local(final RequestPath path, final Integer partition, final String answeredBy) {
        final KafkaStreams streams = rebound.streams();
        final ObjectNode body;
        try {
            StoreQueryParameters<ReadOnlyKeyValueStore<String, InFlightEntry>> inFlight =
                    StoreQueryParameters.fromNameAndType(StoreNames.IN_FLIGHT, QueryableStoreTypes.keyValueStore());
            StoreQueryParameters<ReadOnlyWindowStore<String, byte[]>> dedup =
                    StoreQueryParameters.fromNameAndType(StoreNames.DEDUP, QueryableStoreTypes.windowStore());
            if (partition != null) {
                inFlight = inFlight.withPartition(partition);
                dedup = dedup.withPartition(partition);
            }
            final InFlightEntry entry = streams.store(inFlight).get(path.id());
            final Instant now = Instant.now();
            if (entry != null) {
                final String stageTarget = stageTarget(rebound.config(), entry);
                final boolean pool = stageTarget != null && rebound.config().target(stageTarget)
                        .map(t -> t.kind() == TargetConfig.Kind.POOL).orElse(false);
                body = RequestView.of(path.key(), path.id(), entry, stageTarget, pool, now);
            } else {
                body = terminal(streams.store(dedup), path, now);
            }
        } catch (final InvalidStateStoreException e) {
            return notYet("the stores of key '" + path.key() + "'" + (partition == null ? "" : " (partition " + partition + ")")
                    + " are not queryable here yet (" + streams.state() + ": " + e.getMessage() + "); ask again shortly");
        }
        body.put("answeredBy", answeredBy);
        if (partition != null) {
            body.put("partition", partition);
        }
        return new Answer("UNKNOWN".equals(body.path("status").asText()) ? 404 : 200, body);
    }

    /** The latest terminal record the dedup window holds for the id, or the unknown answer. */
    private ObjectNode terminal(final ReadOnlyWindowStore<String, byte[]> dedup, final RequestPath path, final Instant now) {
        final DedupStore.Remembered r = DedupStore.newest(
                dedup.backwardFetch(path.id(), now.minus(rebound.config().dedupWindow()), now.plus(DedupStore.AHEAD)));
        return r == null ? RequestView.unknown(path.key(), path.id())
                : RequestView.finished(path.key(), path.id(), r.result(), Json.read(r.value(), JsonNode.class));
    }

    /** The one hop to the owner; its answer is passed on with the forwarding instance named. */
    private Answer forward(final RequestPath path, final KeyQueryMetadata owner, final HostInfo self) {
        final String at = endpoint(owner.activeHost());
        final String hostPart = owner.activeHost().host().contains(":") ? "[" + owner.activeHost().host() + "]" : owner.activeHost().host();
        try {
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://" + hostPart + ":" + owner.activeHost().port() + path.path()))
                    .header(FORWARDED, endpoint(self)).timeout(FORWARD_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            final JsonNode body = Json.MAPPER.readTree(r.body());
            if (!(body instanceof ObjectNode o)) {
                return unreachable(path, owner, at, "it answered " + r.statusCode() + " with no JSON object");
            }
            o.put("forwardedBy", endpoint(self));
            return new Answer(r.statusCode(), o);
        } catch (final IOException e) {
            return unreachable(path, owner, at, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(path, owner, at, "interrupted");
        }
    }

    private static Answer unreachable(final RequestPath path, final KeyQueryMetadata owner, final String at, final String what) {
        final ObjectNode err = Json.MAPPER.createObjectNode();
        err.put("error", "the instance that owns key '" + path.key() + "' (partition " + owner.partition() + "), " + at
                + ", did not answer (asked with a " + FORWARD_TIMEOUT.toSeconds() + " s timeout): " + what);
        err.put("owner", at);
        return new Answer(502, err);
    }

    private static Answer notYet(final String message) {
        final ObjectNode err = Json.MAPPER.createObjectNode();
        err.put("error", message);
        err.put("retry", true);
        return new Answer(503, err);
    }

    /** The target the entry's current stage calls: the request's own, or its fallback step's; {@code null} if no longer configured. */
    static String stageTarget(final ReboundConfig config, final InFlightEntry entry) {
        final String requested = entry.request().path("target").asText();
        if (entry.stage() == 0) {
            return requested;
        }
        return config.target(requested).map(primary -> Lifecycle.stepAt(primary, entry.stage()))
                .filter(FallbackStep.ToTarget.class::isInstance).map(s -> ((FallbackStep.ToTarget) s).target()).orElse(null);
    }

    private static String endpoint(final HostInfo h) {
        return h.host() + ":" + h.port();
    }
}
