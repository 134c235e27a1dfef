package dev.rebound.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.admin.TopicSnapshot;
import dev.rebound.config.ReboundConfig;
import dev.rebound.dlq.ReplayPlan;
import dev.rebound.dlq.SourceRecordReader;
import dev.rebound.request.Json;
import dev.rebound.time.Durations;
import dev.rebound.topology.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/** {@code rebound dlq}: dead letters as a workflow. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "List, show and replay dead letters.",
        subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Show.class, DlqCommand.Replay.class})
public final class DlqCommand {

    @Mixin
    VerboseOption verbose;

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** A dead letter with where it is. */
    record Entry(ConsumerRecord<String, byte[]> record, JsonNode value) {
    }

    /** The filters shared by list and replay. */
    static final class Filter {
        @Option(names = "--reason", description = "Only this reason, e.g. RETRIES_EXHAUSTED.")
        String reason;

        @Option(names = "--target", description = "Only this target.")
        String target;

        @Option(names = "--since", description = "Only dead letters from this long ago (e.g. 1h) or since this instant.")
        String since;

        @Option(names = "--id", description = "Only this request id.")
        String id;

        boolean matches(final JsonNode v, final Instant now) {
            if (reason != null && !reason.equalsIgnoreCase(v.path("reason").asText())) {
                return false;
            }
            if (target != null && !target.equals(v.path("target").asText())) {
                return false;
            }
            if (id != null && !id.equals(v.path("id").asText())) {
                return false;
            }
            if (since != null) {
                final Instant from = Durations.parse(since).map(now::minus).orElseGet(() -> parseInstant(since));
                final String at = v.path("deadLetteredAt").asText("");
                return !at.isEmpty() && !Instant.parse(at).isBefore(from);
            }
            return true;
        }

        private static Instant parseInstant(final String text) {
            try {
                return Instant.parse(text);
            } catch (final RuntimeException e) {
                throw new IllegalArgumentException("--since must be a duration (1h, 30m) or an instant (2026-11-29T12:00:00Z), was '" + text + "'");
            }
        }
    }

    static List<Entry> read(final ReboundConfig cfg) {
        final List<Entry> out = new ArrayList<>();
        for (final ConsumerRecord<String, byte[]> r : TopicSnapshot.read(ConfigOption.clientProperties(cfg),
                new Topics(cfg.topicPrefix()).deadLetters(), READ_TIMEOUT)) {
            if (r.headers().lastHeader(Topics.DEDUP_REPLAY_HEADER) == null && r.value() != null) {
                out.add(new Entry(r, Json.read(r.value(), JsonNode.class)));
            }
        }
        return out;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "A table of dead letters, oldest first.")
    static final class ListDeadLetters implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Mixin
        Filter filter;

        @Override
        public Integer call() throws InterruptedException {
            final ReboundConfig cfg = config.loadReachable();
            final Instant now = Instant.now();
            System.out.printf("%-24s %-36s %-16s %-22s %-16s %4s  %s%n", "DEAD-LETTERED", "ID", "TARGET", "REASON", "CATEGORY", "TRIES", "MESSAGE");
            int n = 0;
            for (final Entry e : read(cfg)) {
                final JsonNode v = e.value();
                if (!filter.matches(v, now)) {
                    continue;
                }
                n++;
                final String message = v.path("message").asText("");
                System.out.printf("%-24s %-36s %-16s %-22s %-16s %4d  %s%n", v.path("deadLetteredAt").asText("-"), v.path("id").asText("-"),
                        v.path("target").asText("-"), v.path("reason").asText(), v.path("category").asText("-"),
                        v.path("attempts").size(), message.length() > 100 ? message.substring(0, 100) + "…" : message);
            }
            System.out.println(n + " dead letter(s)");
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The whole dead letter of a request id, attempt history included.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            int n = 0;
            for (final Entry e : read(config.loadReachable())) {
                if (id.equals(e.value().path("id").asText())) {
                    n++;
                    System.out.println("── " + e.record().topic() + "-" + e.record().partition() + "@" + e.record().offset());
                    System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(e.value()));
                }
            }
            if (n == 0) {
                System.err.println("no dead letter with id '" + id + "'");
                return 3;
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Re-enqueue dead letters to agent-calls as new requests (new id, replayOf link, fresh attempts). "
                    + "Each dead letter is replayed at most once: a marker is written in the same transaction. "
                    + "A request the dead letter does not repeat whole (over 64 KiB, or a PROCESSING_ERROR's raw bytes) is read "
                    + "back from its source topic, partition and offset. Exit code 4 when any could not be replayed.")
    static final class Replay implements Callable<Integer> {
        /** The exit code when at least one matching dead letter could not be replayed (the others were). */
        static final int SOME_UNREPLAYABLE = 4;
        /** How long reading one original record back may take. */
        private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(10);

        @Mixin
        ConfigOption config;

        @Mixin
        Filter filter;

        @Option(names = "--dry-run", description = "Say what would be replayed; write nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws InterruptedException {
            if (filter.id == null && filter.reason == null && filter.target == null) {
                throw new IllegalArgumentException("say what to replay: --id, --reason and/or --target");
            }
            final ReboundConfig cfg = config.loadReachable();
            final Topics topics = new Topics(cfg.topicPrefix());
            final Set<String> done = new HashSet<>();
            for (final ConsumerRecord<String, byte[]> m : TopicSnapshot.read(ConfigOption.clientProperties(cfg), topics.replayed(), READ_TIMEOUT)) {
                if (m.value() != null) {
                    done.add(m.key());
                }
            }
            final Instant now = Instant.now();
            final List<ReplayPlan.Step> steps = new ArrayList<>();
            try (SourceRecordReader originals = new SourceRecordReader(ConfigOption.clientProperties(cfg), READ_BACK_TIMEOUT)) {
                for (final Entry e : read(cfg)) {
                    if (filter.matches(e.value(), now)) {
                        steps.add(ReplayPlan.plan(e.record().key(), e.record().partition(), e.record().offset(), e.value(), done,
                                originals::read));
                    }
                }
            }
            final List<ReplayPlan.Replay> replays = new ArrayList<>();
            int skipped = 0;
            int unreplayable = 0;
            for (final ReplayPlan.Step s : steps) {
                if (s instanceof ReplayPlan.Replay r) {
                    replays.add(r);
                    System.out.println((dryRun ? "would replay " : "replay ") + r.originalId() + " as " + r.newId() + ": request " + r.from());
                } else if (s instanceof ReplayPlan.Skip k) {
                    skipped++;
                    System.out.println("skip   " + name(k.originalId(), k.marker()) + ": " + k.why());
                } else if (s instanceof ReplayPlan.Unreplayable u) {
                    unreplayable++;
                    System.out.println("cannot replay " + name(u.originalId(), u.marker()) + ": " + u.why());
                }
            }
            if (!dryRun && !replays.isEmpty()) {
                send(cfg, topics, replays, now);
            }
            System.out.printf("%d replayed%s, %d skipped, %d could not be replayed%n", dryRun ? 0 : replays.size(),
                    dryRun ? " (dry run: " + replays.size() + " would be)" : "", skipped, unreplayable);
            return unreplayable > 0 ? SOME_UNREPLAYABLE : 0;
        }

        private static String name(final String id, final String marker) {
            return id == null ? "(no id, dead letter " + marker + ")" : id;
        }

        /** Requests and markers in one transaction: a crash mid-way replays all or none of them. */
        private static void send(final ReboundConfig cfg, final Topics topics, final List<ReplayPlan.Replay> replays, final Instant now) {
            try (KafkaProducer<String, byte[]> producer = ConfigOption.idempotentProducer(cfg,
                    Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "rebound-dlq-replay-" + UUID.randomUUID()))) {
                producer.initTransactions();
                producer.beginTransaction();
                for (final ReplayPlan.Replay r : replays) {
                    producer.send(new ProducerRecord<>(topics.calls(), r.key(), r.request().toString().getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>(topics.replayed(), r.marker(),
                            ("{\"replayedAs\":\"" + r.newId() + "\",\"at\":\"" + now + "\"}").getBytes(StandardCharsets.UTF_8)));
                }
                producer.commitTransaction();
            }
        }
    }
}
