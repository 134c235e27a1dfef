package dev.rebound.admin;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The first thing a command that talks to Kafka does: wait, for at most {@code startup.timeout},
 * until a broker of {@code kafka.bootstrap.servers} answers, and say what is wrong while none does,
 * in one line that names the address and the setting.
 *
 * <p>Why not let the Kafka clients find out: a client pointed at an address where nothing listens
 * logs a warning per reconnect, for ever, without naming the setting, and its calls block until
 * their own timeouts. So each attempt first opens a plain TCP connection to every bootstrap address
 * (no Kafka client, so no warnings, while nothing listens), and only when one accepts asks the
 * cluster to describe itself with a bounded timeout: that is where a listener that speaks another
 * protocol, unreachable advertised listeners and refused credentials show. Refused credentials and
 * an invalid client configuration end the wait at once; waiting does not fix them.
 */
public final class ClusterReach {

    private static final String BOOTSTRAP = "kafka." + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long one attempt may wait for the cluster to describe itself. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TRY_EVERY = Duration.ofSeconds(1);
    /** A problem is said at once, then again at most this often while it lasts: a calm pace, not a log line per second. */
    static final Duration SAY_EVERY = Duration.ofSeconds(10);

    /**
     * Why the cluster did not answer.
     *
     * @param text   one line naming the address and the setting to check
     * @param lasting true when waiting cannot help (refused credentials, an invalid configuration)
     */
    public record Problem(String text, boolean lasting) {
    }

    private final Map<String, Object> client;
    private final String source;

    /**
     * @param clientProperties the Kafka client properties of the configuration (bootstrap and security settings)
     * @param source           where they come from, for the messages (the configuration file)
     */
    public ClusterReach(final Map<String, Object> clientProperties, final String source) {
        this.client = Map.copyOf(clientProperties);
        this.source = source;
    }

    /**
     * Returns once a broker answers. Until then says each problem through {@code say}, at once and
     * then every {@link #SAY_EVERY} while it lasts.
     *
     * @throws IllegalStateException after {@code timeout}, or at once for a lasting problem, with the problem as message
     */
    public void await(final Duration timeout, final Consumer<String> say) throws InterruptedException {
        final long start = System.nanoTime();
        final long until = start + timeout.toNanos();
        String said = null;
        long saidAt = 0;
        while (true) {
            final long left = until - System.nanoTime();
            final Optional<Problem> problem = probe(Duration.ofNanos(Math.max(left, 0)));
            if (problem.isEmpty()) {
                return;
            }
            final Problem p = problem.get();
            if (p.lasting()) {
                throw new IllegalStateException(p.text());
            }
            final long now = System.nanoTime();
            if (now - until >= 0) {
                throw new IllegalStateException("gave up after " + seconds(now - start) + " s (startup.timeout in " + source + "): " + p.text());
            }
            if (!p.text().equals(said) || now - saidAt >= SAY_EVERY.toNanos()) {
                say.accept(p.text() + "; trying again for " + seconds(until - now) + " s (startup.timeout)");
                said = p.text();
                saidAt = now;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(TRY_EVERY.toNanos(), Math.max(until - System.nanoTime(), 0)));
        }
    }

    /** One attempt, bounded by {@code budget} (and by {@link #ASK_TIMEOUT}); empty when a broker answered. */
    Optional<Problem> probe(final Duration budget) throws InterruptedException {
        final Object servers = client.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.toString().isBlank()) {
            return Optional.of(new Problem(BOOTSTRAP + " is not set in " + source, true));
        }
        final Optional<Problem> listening = listening(servers.toString());
        if (listening.isPresent()) {
            return listening;
        }
        return ask(servers.toString(), budget.compareTo(ASK_TIMEOUT) < 0 ? budget : ASK_TIMEOUT);
    }

    /** Whether any bootstrap address accepts a TCP connection; a problem naming them all when none does. */
    private Optional<Problem> listening(final String servers) {
        final List<String> silent = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();
        for (final String server : servers.split(",")) {
            final String hostPort = server.trim();
            final String host = Utils.getHost(hostPort);
            final Integer port = Utils.getPort(hostPort);
            if (host == null || port == null) {
                return Optional.of(new Problem("'" + hostPort + "' in " + BOOTSTRAP + " (" + source + ") is not host:port", true));
            }
            final InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (final UnknownHostException e) {
                unknown.add(host);
                continue;
            }
            for (final InetAddress address : addresses) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, port), (int) CONNECT_TIMEOUT.toMillis());
                    return Optional.empty();
                } catch (final IOException refused) {
                    // the next address, if any
                }
            }
            silent.add(hostPort);
        }
        final List<String> parts = new ArrayList<>();
        if (!silent.isEmpty()) {
            parts.add("nothing listens at " + String.join(", ", silent));
        }
        if (!unknown.isEmpty()) {
            parts.add("no such host: " + String.join(", ", unknown));
        }
        return Optional.of(new Problem(String.join("; ", parts) + " (" + BOOTSTRAP + " in " + source + "): start the broker or correct the address",
                false));
    }

    /** Asks the cluster to describe itself: where protocols, advertised listeners and credentials show. */
    private Optional<Problem> ask(final String servers, final Duration timeout) throws InterruptedException {
        final int ms = (int) Math.max(timeout.toMillis(), 1);
        final Map<String, Object> props = new HashMap<>(client);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "rebound-startup-check");
        final Admin admin;
        try {
            admin = Admin.create(props);
        } catch (final KafkaException e) {
            return Optional.of(explain(e, servers));
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId().get(ms + 1000L, TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (final ExecutionException e) {
            return Optional.of(explain(e.getCause(), servers));
        } catch (final java.util.concurrent.TimeoutException e) {
            return Optional.of(explain(new org.apache.kafka.common.errors.TimeoutException(e.getMessage()), servers));
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** The one line for a failure of the cluster description, naming the settings that decide it. */
    Problem explain(final Throwable failure, final String servers) {
        final String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (failure instanceof SaslAuthenticationException) {
            return new Problem("the broker at " + servers + " refused the credentials (kafka.sasl.jaas.config and kafka.sasl.mechanism in "
                    + source + "): " + why, true);
        }
        if (failure instanceof SslAuthenticationException) {
            return new Problem("the TLS handshake with " + servers + " failed (kafka.security.protocol and kafka.ssl.* in " + source
                    + ", e.g. kafka.ssl.truststore.location): " + why + rootCause(failure), true);
        }
        if (failure instanceof AuthenticationException) {
            return new Problem("the broker at " + servers + " refused to authenticate this client (kafka.security.protocol and "
                    + "kafka.sasl.* in " + source + "): " + why, true);
        }
        if (failure instanceof AuthorizationException) {
            return new Problem("the broker at " + servers + " accepted the credentials but may not be asked about the cluster "
                    + "(its ACLs for the principal of kafka.sasl.jaas.config in " + source + "): " + why, true);
        }
        if (failure instanceof ConfigException) {
            return new Problem("the kafka settings in " + source + " are not a valid client configuration: " + why, true);
        }
        if (failure instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new Problem(servers + " accepts connections but does not answer as a Kafka broker (" + BOOTSTRAP + " in " + source
                    + ", with kafka.security.protocol " + client.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                    + "): check that this port is a Kafka listener of that protocol, and that the broker's advertised.listeners "
                    + "can be reached from here", false);
        }
        return new Problem("the broker at " + servers + " (" + BOOTSTRAP + " in " + source + ") answered with an error: " + why, false);
    }

    private static String rootCause(final Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t || root.getMessage() == null ? "" : " (" + root.getMessage() + ")";
    }

    private static long seconds(final long nanos) {
        return Math.round(nanos / 1e9);
    }
}
