package dev.rebound.demo;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Unreadable records for the compacted topics every instance reads into a global store
 * ({@code agent-control}, {@code agent-circuits}): bytes that are not JSON, JSON of the wrong shape,
 * JSON nested past the parser's limit, keys that are not UTF-8, empty or absent. Any operator,
 * tool or bug can write such a record; none may stop a thread, change a target's state, or stall
 * a partition (DESIGN §7, "No poison pill").
 */
public final class CompactedGarbage {

    /**
     * One garbage record.
     *
     * @param what  what is wrong with it, for a report
     * @param key   the key bytes ({@code null} for none)
     * @param value the value bytes
     */
    public record Garbage(String what, byte[] key, byte[] value) {
    }

    /**
     * What {@link #write} did.
     *
     * @param written records the broker stored
     * @param refused what the broker refused, with its reason (a compacted topic takes no null key)
     */
    public record Written(int written, List<String> refused) {
    }

    private CompactedGarbage() {
    }

    /** Garbage for {@code agent-control}, most of it keyed by {@code target} so that it lands on a real entry. */
    public static List<Garbage> forControl(final String target) {
        final List<Garbage> out = common(target);
        out.add(new Garbage("a disabled flag that is an object", utf8(target), utf8("{\"disabled\":{\"really\":true},\"reason\":7}")));
        return out;
    }

    /** Garbage for {@code agent-circuits}, most of it keyed by {@code target} so that it lands on a real entry. */
    public static List<Garbage> forCircuits(final String target) {
        final List<Garbage> out = common(target);
        out.add(new Garbage("a circuit state that does not exist", utf8(target), utf8("{\"state\":\"EXPLODED\",\"trafficPercent\":-40}")));
        out.add(new Garbage("an object with none of the fields", utf8(target), utf8("{}")));
        return out;
    }

    private static List<Garbage> common(final String target) {
        final List<Garbage> out = new ArrayList<>();
        out.add(new Garbage("bytes that are not JSON", utf8(target), new byte[] {0, (byte) 0xff, (byte) 0xfe, 'g', 'a', 'r', 'b', 'a', 'g', 'e'}));
        out.add(new Garbage("truncated JSON", utf8(target), utf8("{\"disabled\": tr")));
        out.add(new Garbage("a JSON array", utf8(target), utf8("[1, 2, 3]")));
        out.add(new Garbage("a JSON string", utf8(target), utf8("\"OPEN\"")));
        out.add(new Garbage("JSON nested past the parser's limit", utf8(target), utf8("[".repeat(5000) + "]".repeat(5000))));
        out.add(new Garbage("a key that is not UTF-8", new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, utf8("{}")));
        out.add(new Garbage("an empty key", new byte[0], new byte[] {1, 2, 3}));
        out.add(new Garbage("a null key", null, utf8("{\"disabled\":true,\"reason\":\"no key\"}")));
        return out;
    }

    /**
     * Writes {@code garbage} to {@code topic}, one record at a time so that a refused record (the
     * broker refuses a null key on a compacted topic) refuses nothing else. Not idempotent, not
     * transactional: a plain client, as a careless tool would be.
     */
    public static Written write(final String bootstrap, final String topic, final List<Garbage> garbage) throws InterruptedException {
        int written = 0;
        final List<String> refused = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.RETRIES_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (final Garbage g : garbage) {
                try {
                    producer.send(new ProducerRecord<>(topic, g.key(), g.value())).get(30, TimeUnit.SECONDS);
                    written++;
                } catch (final ExecutionException | TimeoutException e) {
                    final Throwable cause = e.getCause() == null ? e : e.getCause();
                    refused.add(g.what() + " on " + topic + ": " + cause.getClass().getSimpleName());
                }
            }
        }
        return new Written(written, refused);
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
