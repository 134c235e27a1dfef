package dev.rebound.topology;

import dev.rebound.circuit.Admission;
import dev.rebound.classify.Classification;
import dev.rebound.classify.ErrorCategory;
import dev.rebound.classify.Severity;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.FallbackStep;
import dev.rebound.config.RetrySettings;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.CallOutcome;
import dev.rebound.execute.CallSpec;
import dev.rebound.execute.Completion;
import dev.rebound.execute.TargetPool;
import dev.rebound.fallback.FallbackChain;
import dev.rebound.fallback.Trigger;
import dev.rebound.ops.ReboundMetrics;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Attempt;
import dev.rebound.request.DeadLetterReason;
import dev.rebound.request.Json;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import dev.rebound.retry.RetryDecision;
import dev.rebound.retry.RetryPlanner;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Validates requests, runs their attempts without blocking, retries through the delay path, and
 * writes exactly one terminal record per request.
 *
 * <p>Life of a request: {@code process} validates it (a bad one is dead-lettered at once), answers
 * a duplicate id from the dedup store, otherwise stores it in the in-flight store and submits its
 * attempt to the {@link CallDispatcher}. A wall-clock punctuator drains finished attempts. A
 * success, or a failure {@link RetryPlanner} gives up on, becomes the terminal record, written
 * together with the dedup entry and the deletion of the in-flight entry: one Kafka transaction
 * under exactly-once, so a crash keeps all of them or none. A failure to retry updates the in-flight
 * entry (next attempt, due time) and sends the request to its delay-tier topic in the same
 * transaction; the tier topic feeds this same task, whose {@link RetryGate} holds it until due and
 * then starts the next attempt.
 *
 * <p>After a crash or a rebalance the in-flight store comes back from its changelog while the
 * calls that were running are gone; the first punctuation starts every restored entry that is not
 * waiting again (waiting ones are the timer store's). The repeated call carries the same
 * {@code Idempotency-Key}.
 */
final class CallProcessor implements Processor<String, byte[], String, Object> {

    /** How often finished attempts are drained; bounds the added latency of a call. */
    static final Duration DRAIN_INTERVAL = Duration.ofMillis(5);
    /** How often the timer store is scanned for due retries; bounds how late a retry fires. */
    static final Duration TIMER_INTERVAL = Duration.ofMillis(50);
    /** At most this many completions are handled per punctuation, to keep each tick short. */
    private static final int MAX_DRAIN = 2_000;
    /** At most this many retries fire per punctuation. */
    private static final int MAX_FIRE = 5_000;
    /** Above this many attempts waiting for a slot, {@code process} pushes back (see {@link #pushBack}). */
    static final int MAX_WAITING = 1_000;
    /** The longest {@code process} pushes back, well inside the 10 s transaction timeout of EOS. */
    private static final long MAX_PUSH_BACK_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(CallProcessor.class);

    private final ReboundConfig config;
    private final TargetPool pool;
    private final RequestParser parser;
    private final UnaryOperator<String> redact;
    private final RandomGenerator random;
    private final ReboundMetrics metrics;
    private final Set<String> retryTopics;

    private ProcessorContext<String, Object> context;
    private InFlightStore inFlight;
    private DedupStore dedup;
    private RetryGate gate;
    private RetryStates retryStates;
    private CallDispatcher dispatcher;
    private CircuitGuard guard;
    private FallbackRun chain;
    private boolean resumed;
    /** Keeps one bad key from flooding the log with alerts. */
    private final RateLimitedLog alerts = new RateLimitedLog(Duration.ofMinutes(1));

    CallProcessor(final ReboundConfig config, final TargetPool pool, final UnaryOperator<String> redact, final RandomGenerator random,
                  final ReboundMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.pool = pool;
        this.parser = new RequestParser(config.targets(), config.limits());
        this.redact = redact;
        this.random = random;
        final Topics topics = new Topics(config.topicPrefix());
        this.retryTopics = config.retries().tiers().stream().map(topics::retryTier).collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public void init(final ProcessorContext<String, Object> context) {
        this.context = context;
        this.inFlight = new InFlightStore(context.getStateStore(Stores.IN_FLIGHT));
        this.dedup = new DedupStore(context.getStateStore(Stores.DEDUP), config.dedupWindow());
        final KeyValueStore<Bytes, byte[]> timers = context.getStateStore(Stores.TIMERS);
        this.gate = new RetryGate(timers);
        this.retryStates = new RetryStates(context.getStateStore(Stores.RETRY_STATE), config, context.taskId().toString(), metrics);
        this.dispatcher = new CallDispatcher(pool::executor, pool::slots);
        this.guard = new CircuitGuard(config, context.getStateStore(Stores.CIRCUITS), context.getStateStore(Stores.CONTROL),
                context.taskId().toString(), random);
        this.chain = new FallbackRun(config, new ResponseCache(context.getStateStore(Stores.CACHE),
                context.getStateStore(Stores.CACHE_INDEX)), metrics, actions());
        this.resumed = false;
        context.schedule(DRAIN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::drain);
        context.schedule(TIMER_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::fireDue);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final Optional<String> topic = context.recordMetadata().map(m -> m.topic());
        if (topic.isPresent() && retryTopics.contains(topic.get())) {
            // a request entering the delay path: hold it until due
            final InFlightEntry waiting = Json.read(record.value(), InFlightEntry.class);
            gate.schedule(waiting.agentRequest().id(), waiting.attempt(), waiting.dueAt());
            return;
        }
        onRequest(record);
    }

    private void onRequest(final Record<String, byte[]> record) {
        final Instant now = now();
        final Source source = context.recordMetadata()
                .map(m -> new Source(m.topic(), m.partition(), m.offset()))
                .orElse(null);
        final ParseResult parsed = parser.parse(record.value(), now);
        if (parsed instanceof ParseResult.Rejected rejected) {
            LOG.debug("rejected request at {}: {} {}", source, rejected.reason(), redact.apply(rejected.message()));
            emit(record.key(), Nodes.DEAD_LETTERS_SINK, redacted(Json.text(Terminals.rejected(rejected, source, now))));
            metrics.terminal("dead_letter", rejected.target(), rejected.reason().name());
            return;
        }
        final AgentRequest request = ((ParseResult.Valid) parsed).request();
        final DedupStore.Stored stored = dedup.find(request.id(), now);
        if (stored != null) {
            // answered before: repeat the stored outcome, never the call
            context.forward(new Record<String, Object>(record.key(), stored.value(), now.toEpochMilli(),
                    new RecordHeaders().add(Topics.DEDUP_REPLAY_HEADER, "true".getBytes(StandardCharsets.UTF_8))), stored.sink());
            return;
        }
        if (inFlight.get(request.id()) != null) {
            // the first copy is still running or waiting; its terminal record answers this one too
            LOG.debug("request {} is already in flight; duplicate ignored", request.id());
            return;
        }
        final InFlightEntry entry = InFlightEntry.first(record.key(), request, now, source);
        inFlight.put(request.id(), entry);
        config.target(request.target()).ifPresent(t -> retryStates.firstAttempt(t, now));
        startAttempt(request.id(), entry, now);
        pushBack();
    }

    /**
     * Back-pressure: when more attempts wait for a slot than {@link #MAX_WAITING}, handle finished
     * calls here, inside {@code process}, instead of reading more input. Bounded by
     * {@link #MAX_PUSH_BACK_MS} so that a stuck target cannot stall the transaction.
     */
    private void pushBack() {
        final long until = System.nanoTime() + MAX_PUSH_BACK_MS * 1_000_000;
        try {
            while (dispatcher.waiting() > MAX_WAITING && System.nanoTime() < until) {
                if (dispatcher.awaitOne(this::complete, 20)) {
                    dispatcher.startWaiting();
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain(final long timestamp) {
        metrics.punctuated();
        if (!resumed) {
            resume();
            resumed = true;
        }
        dispatcher.drain(this::complete, MAX_DRAIN);
        dispatcher.startWaiting();
        retryStates.flush(now());
    }

    private void fireDue(final long timestamp) {
        final Instant now = now();
        for (final RetryGate.Due due : gate.takeDue(now, MAX_FIRE)) {
            final InFlightEntry entry = inFlight.get(due.id());
            if (entry == null || !entry.waiting() || entry.attempt() != due.attempt()) {
                continue; // stale: the request has moved on since this timer was set
            }
            metrics.retryFired(Duration.between(entry.dueAt(), now));
            final InFlightEntry fired = entry.fired();
            inFlight.put(due.id(), fired);
            startAttempt(due.id(), fired, now);
        }
    }

    /** Starts every restored in-flight entry that is neither running here nor waiting for its timer. */
    private void resume() {
        final Instant now = now();
        announceRecoveryTargets(now);
        int restarted = 0;
        try (KeyValueIterator<String, InFlightEntry> it = inFlight.all()) {
            while (it.hasNext()) {
                final KeyValue<String, InFlightEntry> kv = it.next();
                if (!kv.value.waiting() && !dispatcher.isActive(kv.key)) {
                    startAttempt(kv.key, kv.value, now);
                    restarted++;
                }
            }
        }
        if (restarted > 0) {
            LOG.info("task {}: restarted {} in-flight call(s) restored from the changelog", context.taskId(), restarted);
        }
    }

    /** Tells the owners of the targets with a recovery policy that they exist, so checks run before any traffic. */
    private void announceRecoveryTargets(final Instant now) {
        for (final TargetConfig t : config.targets().values()) {
            if (t.recovery().isPresent()) {
                context.forward(new Record<String, Object>(t.name(), new byte[0], now.toEpochMilli(),
                        new RecordHeaders().add(Topics.REGISTER_HEADER, "true".getBytes(StandardCharsets.UTF_8))), Nodes.OUTCOMES_SINK);
            }
        }
    }

    private void startAttempt(final String id, final InFlightEntry entry, final Instant now) {
        final AgentRequest request = entry.agentRequest();
        final TargetConfig primary = config.target(request.target()).orElse(null);
        if (primary == null || primary.kind() != TargetConfig.Kind.CALL) {
            terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.targetGone(entry, now)), "UNKNOWN_TARGET");
            return;
        }
        final TargetConfig target = stageTarget(primary, entry);
        if (target == null) {
            // the configuration changed while the request was in flight: that step is gone
            chain.stepFailed(id, entry, primary, "this step is no longer configured", now);
            return;
        }
        Duration timeout = target.timeout();
        if (request.deadline() != null) {
            final Duration left = Duration.between(now, request.deadline());
            if (left.isNegative() || left.isZero()) {
                if (entry.stage() > 0) {
                    chain.stepFailed(id, entry, primary, "the deadline " + request.deadline() + " passed before it could be called", now);
                } else if (entry.trigger() == null && !primary.fallback().isEmpty()) {
                    chain.giveUp(id, entry, primary, deadlineTrigger(entry), now);
                } else {
                    terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.deadlineExceeded(entry, now)), "DEADLINE_EXCEEDED");
                }
                return;
            }
            if (left.compareTo(timeout) < 0) {
                timeout = left;
            }
        }
        if (guard.admit(id, target, now) instanceof Admission.Defer defer) {
            metrics.admissionRefused(target.name(), defer.why().name().toLowerCase(java.util.Locale.ROOT));
            if (entry.stage() > 0) {
                chain.stepFailed(id, entry, primary, "not admitted: " + defer.reason(), now);
                return;
            }
            final Trigger why = new Trigger(ErrorCategory.CIRCUIT_OPEN.name(),
                    defer.why() == Admission.Why.DISABLED ? FallbackStep.DISABLED : DeadLetterReason.CIRCUIT_OPEN.name(),
                    primary.name() + " was not called: " + defer.reason());
            if (FallbackChain.handles(primary.fallback(), why)) {
                chain.giveUp(id, entry, primary, why, now); // fail fast to the fallback: no call, no wait
            } else {
                deferOrGiveUp(id, entry, defer, now);
            }
            return;
        }
        final byte[] body = request.payload().toString().getBytes(StandardCharsets.UTF_8);
        dispatcher.submit(new CallSpec(id, target.name(), entry.attempt(), body, timeout));
    }

    /** The target the current stage calls: the primary, or fallback step {@code stage}'s target ({@code null} if gone). */
    private TargetConfig stageTarget(final TargetConfig primary, final InFlightEntry entry) {
        if (entry.stage() == 0) {
            return primary;
        }
        return FallbackRun.stepAt(primary, entry.stage()) instanceof FallbackStep.ToTarget t ? config.target(t.target()).orElse(null) : null;
    }

    private static Trigger deadlineTrigger(final InFlightEntry entry) {
        final String category = entry.attempts().isEmpty() ? ErrorCategory.TIMEOUT.name()
                : entry.attempts().get(entry.attempts().size() - 1).category();
        return new Trigger(category, DeadLetterReason.DEADLINE_EXCEEDED.name(),
                "the deadline " + entry.deadline() + " passed before attempt " + entry.attempt() + " could start");
    }

    /** Not admitted and no fallback for it: wait in the delay path until the circuit may admit, unless that is past the deadline. */
    private void deferOrGiveUp(final String id, final InFlightEntry entry, final Admission.Defer defer, final Instant now) {
        if (entry.deadline() != null && !defer.until().isBefore(entry.deadline())) {
            if (defer.why() == Admission.Why.DISABLED) {
                terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.deadlineWhileDisabled(entry, defer.reason(), now)),
                        "DEADLINE_EXCEEDED");
            } else {
                terminal(id, entry, Nodes.DEAD_LETTERS_SINK, Json.text(Terminals.circuitOpen(entry, defer.reason(), now)), "CIRCUIT_OPEN");
            }
            return;
        }
        waitInDelayPath(id, entry.deferred(defer.until()), config.retries().tierFor(Duration.between(now, defer.until())), now);
    }

    /**
     * Stores the waiting entry and sends it to its delay tier, in the same transaction; the tier
     * topic brings it back to this task, whose {@link RetryGate} fires it at {@code dueAt}.
     */
    private void waitInDelayPath(final String id, final InFlightEntry waiting, final Duration tier, final Instant now) {
        metrics.delayEntered();
        inFlight.put(id, waiting);
        context.forward(new Record<String, Object>(waiting.key(), waiting, now.toEpochMilli()), Nodes.retrySink(tier));
    }

    private void complete(final Completion c) {
        final String id = c.spec().requestId();
        final Instant now = now();
        final TargetConfig target = config.target(c.spec().target()).orElseThrow();
        final Optional<ErrorCategory> failed = c.outcome() instanceof CallOutcome.Failed f
                ? Optional.of(f.classification().category()) : Optional.empty();
        // every attempt that reached the target is evidence about it, even a stale one
        for (final CircuitGuard.OutcomeEvent e : guard.ended(id, target, failed, c.outcome().durationMs(), now)) {
            context.forward(new Record<String, Object>(e.target(), Json.bytes(e.outcome()), now.toEpochMilli()), Nodes.OUTCOMES_SINK);
        }
        final InFlightEntry entry = inFlight.get(id);
        if (entry == null || entry.waiting() || entry.attempt() != c.spec().attempt()) {
            // stale: the request ended or moved on (e.g. restarted and answered by another attempt)
            return;
        }
        final TargetConfig primary = config.target(entry.agentRequest().target()).orElseThrow();
        if (c.outcome() instanceof CallOutcome.Success s) {
            metrics.attempt(target.name(), "success", "", Duration.ofMillis(s.durationMs()));
            retryStates.outcome(target, now, Optional.empty());
            if (entry.stage() > 0) {
                metrics.fallback(primary.name(), target.name(), "served");
                terminal(id, entry, Nodes.RESULTS_SINK, Json.text(Terminals.fallback(entry, target.name(), s.body(), s.status(),
                        c.spec().attempt(), now)), "FALLBACK");
                return;
            }
            chain.remember(primary, entry, s, now);
            terminal(id, entry, Nodes.RESULTS_SINK, Json.text(Terminals.succeeded(entry, c.spec(), s, now)), "SUCCEEDED");
            return;
        }
        final Classification failure = ((CallOutcome.Failed) c.outcome()).classification();
        metrics.attempt(target.name(), "failure", failure.category().name(), Duration.ofMillis(c.outcome().durationMs()));
        alertIfCritical(target, failure, now);
        final Attempt attempt = Terminals.attempt(c.spec(), (CallOutcome.Failed) c.outcome());
        final var state = retryStates.outcome(target, now, Optional.of(failure.category()));
        final RetryDecision decision = entry.attempt() >= config.limits().maxAttemptsPerRequest() && failure.retryable()
                ? new RetryDecision.GiveUp(DeadLetterReason.RETRIES_EXHAUSTED, target.name() + " failed with " + failure.category()
                        + ": " + failure.message() + "; the request's attempt budget (limits.maxAttemptsPerRequest = "
                        + config.limits().maxAttemptsPerRequest() + ") is spent")
                : RetryPlanner.decide(failure, entry.stageAttempt(), Optional.ofNullable(entry.lastWaitMs()).map(Duration::ofMillis), now,
                        entry.deadline(), target, state, config.retries(), () -> pool.retryLimiter().tryAcquire(now), random);
        if (decision instanceof RetryDecision.Retry retry) {
            retryStates.retryGranted(target, now, state);
            waitInDelayPath(id, entry.waitingFor(attempt, retry.delay(), retry.dueAt()), retry.tier(), now);
            metrics.retryScheduled(target.name(), RetrySettings.tierName(retry.tier()));
            return;
        }
        final RetryDecision.GiveUp giveUp = (RetryDecision.GiveUp) decision;
        final InFlightEntry ended = entry.ended(attempt);
        if (entry.stage() > 0) {
            chain.stepFailed(id, ended, primary, giveUp.reason() + ": " + giveUp.message(), now);
        } else {
            chain.giveUp(id, ended, primary, Trigger.of(failure.category(), giveUp.reason(), giveUp.message()), now);
        }
    }

    /** Failures a person must fix (bad credentials, a spent quota) are logged at ERROR, at most once a minute per target. */
    private void alertIfCritical(final TargetConfig target, final Classification failure, final Instant now) {
        if (failure.severity() == Severity.CRITICAL && alerts.due(target.name(), now)) {
            LOG.error("ALERT target {}: {} (HTTP {}): {}; not retried, this needs a person", target.name(), failure.category(),
                    failure.httpStatus(), redact.apply(failure.message()));
        }
    }

    /** The fallback chain's way back into this processor: answer, or call the step's target. */
    private FallbackRun.Actions actions() {
        return new FallbackRun.Actions() {
            @Override
            public void answer(final String id, final InFlightEntry entry, final String sink, final String json, final String reason) {
                terminal(id, entry, sink, json, reason);
            }

            @Override
            public void call(final String id, final InFlightEntry moved, final TargetConfig stepTarget, final Instant now) {
                inFlight.put(id, moved);
                retryStates.firstAttempt(stepTarget, now);
                startAttempt(id, moved, now);
            }
        };
    }

    /** Writes the terminal record, remembers it for dedup and forgets the in-flight entry: one transaction. */
    private void terminal(final String id, final InFlightEntry entry, final String sink, final String json, final String reason) {
        final byte[] value = redacted(json);
        emit(entry.key(), sink, value);
        dedup.put(id, sink, value, now());
        inFlight.delete(id);
        metrics.terminal(Nodes.RESULTS_SINK.equals(sink) ? "result" : "dead_letter", entry.agentRequest().target(), reason);
    }

    private void emit(final String key, final String sink, final byte[] value) {
        context.forward(new Record<String, Object>(key, value, context.currentSystemTimeMs()), sink);
    }

    /** Every terminal record Rebound writes passes here: configured secrets never reach a topic. */
    private byte[] redacted(final String json) {
        return redact.apply(json).getBytes(StandardCharsets.UTF_8);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
