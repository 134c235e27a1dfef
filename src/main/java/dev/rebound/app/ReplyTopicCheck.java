package dev.rebound.app;

import dev.rebound.config.ResultSettings;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which reply topics exist, as far as this instance last looked: a request's {@code replyTo} must
 * name one, or it is dead-lettered {@code INVALID_REQUEST} at the door. Without the check a
 * {@code replyTo} that the patterns allow but that names a missing topic (a broker with
 * auto-creation off) would fail the task's send again and again: a poison pill. The topics the
 * patterns allow are listed at start and every {@link #EVERY} on a daemon thread. A topic not on
 * the list is asked about once (at most one such question a second, for at most {@link #ASK_FOR},
 * on the asking thread), so that one created since the last list is usable at once; a topic found
 * missing is not asked about again for {@link #EVERY}.
 */
final class ReplyTopicCheck implements Predicate<String>, AutoCloseable {

    static final Duration EVERY = Duration.ofSeconds(10);
    static final Duration ASK_FOR = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(ReplyTopicCheck.class);

    private final Admin admin;
    private final ResultSettings results;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "rebound-reply-topics");
        t.setDaemon(true);
        return t;
    });
    private volatile Set<String> known = Set.of();
    private final Map<String, Long> missingUntil = new ConcurrentHashMap<>();
    private final AtomicLong lastAsked = new AtomicLong();

    ReplyTopicCheck(final Admin admin, final ResultSettings results) {
        this.admin = admin;
        this.results = results;
        refresh();
        timer.scheduleWithFixedDelay(this::refresh, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            known = admin.listTopics().names().get(EVERY.toMillis(), TimeUnit.MILLISECONDS).stream().filter(results::allows)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (final Exception e) {
            LOG.warn("could not list the reply topics (the last list, {} topic(s), stays): {}", known.size(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean test(final String topic) {
        if (known.contains(topic)) {
            return true;
        }
        final long now = System.currentTimeMillis();
        final Long until = missingUntil.get(topic);
        final long last = lastAsked.get();
        if (until != null && now < until || now - last < 1_000 || !lastAsked.compareAndSet(last, now)) {
            return false;
        }
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(ASK_FOR.toMillis(), TimeUnit.MILLISECONDS);
            final Set<String> more = new HashSet<>(known);
            more.add(topic);
            known = Set.copyOf(more);
            return true;
        } catch (final Exception e) {
            if (missingUntil.size() > 10_000) {
                missingUntil.clear();
            }
            missingUntil.put(topic, now + EVERY.toMillis());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
