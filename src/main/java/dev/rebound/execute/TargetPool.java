package dev.rebound.execute;

import dev.rebound.classify.ErrorClassifier;
import dev.rebound.config.Redactor;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.TargetConfig;
import dev.rebound.retry.GlobalRetryLimiter;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The executors of every callable target and their in-flight slots, one pool per Rebound
 * instance, shared by all its stream threads and tasks.
 */
public final class TargetPool {

    private final Map<String, TargetExecutor> executors;
    private final Map<String, TargetSlots> slots;
    private final GlobalRetryLimiter retryLimiter;
    private final HealthChecker health;

    private TargetPool(final Map<String, TargetExecutor> executors, final Map<String, TargetSlots> slots,
                       final GlobalRetryLimiter retryLimiter, final Supplier<HttpClient> client) {
        this.executors = Map.copyOf(executors);
        this.retryLimiter = retryLimiter;
        this.health = new HealthChecker(this::executor, client);
        this.slots = Map.copyOf(slots);
    }

    /**
     * {@code maxInFlight} permits, or, with {@code rateLimit: { concurrency: auto }}, an
     * {@link AdaptiveLimit} under that cap whose calls count as slow from the circuit's {@code slowCall}.
     */
    static TargetSlots slotsFor(final TargetConfig t) {
        return t.rateLimit().adaptive()
                ? new TargetSlots(t.maxInFlight(), new AdaptiveLimit(t.maxInFlight(), t.circuit().slowCall()))
                : new TargetSlots(t.maxInFlight());
    }

    /** Real HTTP executors for every callable target in the configuration. */
    public static TargetPool http(final ReboundConfig config, final HttpClient client, final Clock clock) {
        final Redactor redactor = new Redactor(config.secrets());
        final ErrorClassifier classifier = new ErrorClassifier(config.patterns(), redactor);
        return of(config, t -> new HttpTargetExecutor(t, client, classifier, redactor, config.limits().maxResponseBytes(), clock),
                () -> client);
    }

    /** Executors made by {@code factory}, e.g. in-process ones for topology tests and benchmarks. */
    public static TargetPool of(final ReboundConfig config, final Function<TargetConfig, TargetExecutor> factory) {
        final HttpClient[] lazy = new HttpClient[1];
        return of(config, factory, () -> {
            synchronized (lazy) {
                if (lazy[0] == null) {
                    lazy[0] = HttpTargetExecutor.defaultClient();
                }
                return lazy[0];
            }
        });
    }

    private static TargetPool of(final ReboundConfig config, final Function<TargetConfig, TargetExecutor> factory,
                                 final Supplier<HttpClient> client) {
        final Map<String, TargetExecutor> executors = new HashMap<>();
        final Map<String, TargetSlots> slots = new HashMap<>();
        for (final TargetConfig t : config.targets().values()) {
            if (t.kind() == TargetConfig.Kind.CALL) {
                executors.put(t.name(), factory.apply(t));
                slots.put(t.name(), slotsFor(t));
            }
        }
        return new TargetPool(executors, slots, new GlobalRetryLimiter(config.retries().maxPerSecond()), client);
    }

    public TargetExecutor executor(final String target) {
        final TargetExecutor e = executors.get(target);
        if (e == null) {
            throw new IllegalArgumentException("no executor for target '" + target + "'");
        }
        return e;
    }

    public TargetSlots slots(final String target) {
        final TargetSlots s = slots.get(target);
        if (s == null) {
            throw new IllegalArgumentException("no slots for target '" + target + "'");
        }
        return s;
    }

    /** The instance-wide retry cap, shared by all tasks. */
    public GlobalRetryLimiter retryLimiter() {
        return retryLimiter;
    }

    /** Health checks of the targets with a recovery policy (the GET of a healthUrl uses this pool's HTTP client). */
    public HealthChecker health() {
        return health;
    }

    /** Calls running right now against {@code target} from this instance. */
    public int inFlight(final String target) {
        return slots(target).inFlight();
    }

    /**
     * How many calls this instance may have in flight to {@code target} now: its {@code maxInFlight},
     * or the current value of its adaptive limit ({@code concurrency: auto}).
     */
    public int concurrencyLimit(final String target) {
        return slots(target).limit();
    }
}
