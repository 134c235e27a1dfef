package dev.rebound.topology;

import dev.rebound.classify.ErrorCategory;
import dev.rebound.config.ReboundConfig;
import dev.rebound.config.RetrySettings;
import dev.rebound.config.TargetConfig;
import dev.rebound.execute.CallDispatcher;
import dev.rebound.execute.Completion;
import dev.rebound.execute.HttpTargetExecutor;
import dev.rebound.execute.TargetPool;
import dev.rebound.lifecycle.CallOutcome;
import dev.rebound.lifecycle.Env;
import dev.rebound.lifecycle.Event;
import dev.rebound.lifecycle.InFlightEntry;
import dev.rebound.lifecycle.Lifecycle;
import dev.rebound.lifecycle.Step;
import dev.rebound.lifecycle.Terminals;
import dev.rebound.metrics.ReboundMetrics;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.ParseResult;
import dev.rebound.request.RequestParser;
import dev.rebound.request.Source;
import dev.rebound.retry.TargetRetryState;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Runs the {@link Lifecycle} of every request of one task: turns what happens (a record, a finished
 * call, a due timer, a restart) into {@link Event}s and executes the {@link Step}s it returns.
 *
 * <p>Failure boundaries: each request is handled on its own. An exception while handling one
 * (a bug) dead-letters that request as {@code PROCESSING_ERROR}, forgets its in-flight entry and
 * drops its running call; every other request handled in the same tick goes on. Only Kafka's own
 * exceptions (a fenced producer, a migrated task) propagate, because they concern the whole task.
 *
 * <p>{@code process} never blocks: an attempt whose target has no slot waits in the dispatcher's
 * bounded line, and when that is full the request is parked in the timer store. A timer is removed
 * only once its request has been handled; restored entries resume a bounded number per tick.
 */
final class CallProcessor implements Processor<String, byte[], String, Object> {

    /** How often finished attempts are drained; bounds the added latency of a call. */
    static final Duration DRAIN_INTERVAL = Duration.ofMillis(5);
    /** How often the timer store is scanned for due retries; bounds how late a retry fires. */
    static final Duration TIMER_INTERVAL = Duration.ofMillis(50);
    private static final int MAX_DRAIN = 2_000;
    private static final int MAX_FIRE = 5_000;
    private static final int MAX_RESUME = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(CallProcessor.class);

    private final ReboundConfig config;
    private final TargetPool pool;
    private final RequestParser parser;
    private final UnaryOperator<String> redact;
    private final RandomGenerator random;
    private final ReboundMetrics metrics;
    private final Set<String> retryTopics;
    private final Terminals terminals;
    private final Lifecycle lifecycle;

    private ProcessorContext<String, Object> context;
    private InFlightStore inFlight;
    private OwnerMail mail;
    private RetryGate gate;
    private RetryStates retryStates;
    private CallDispatcher dispatcher;
    private CircuitGuard guard;
    private ResponseCache cache;
    private Env env;
    private RestoredEntries restored;
    private TaskQuotas quotas;
    private CallGate gateway; // room, turn and quota: whether a call starts now
    private Bytes lastScheduled; // the timer key set last, so that firing a timer does not remove its replacement
    private TerminalWriter terminal;
    private final CriticalAlerts alerts;

    CallProcessor(final ReboundConfig config, final TargetPool pool, final UnaryOperator<String> redact, final RandomGenerator random,
                  final ReboundMetrics metrics, final Predicate<String> replyTopicExists) {
        this.config = config;
        this.metrics = metrics;
        this.pool = pool;
        this.parser = new RequestParser(config.targets(), config.limits(), config.results(), replyTopicExists);
        this.redact = redact;
        this.random = random;
        this.terminals = new Terminals(redact);
        this.alerts = new CriticalAlerts(redact);
        this.lifecycle = new Lifecycle(config, terminals);
        final Topics topics = new Topics(config.topicPrefix());
        this.retryTopics = config.retries().tiers().stream().map(topics::retryTier).collect(Collectors.toSet());
    }

    @Override
    public void init(final ProcessorContext<String, Object> context) {
        this.context = context;
        this.inFlight = new InFlightStore(context.getStateStore(StoreNames.IN_FLIGHT));
        this.gate = new RetryGate(context.getStateStore(StoreNames.TIMERS));
        this.retryStates = new RetryStates(context.getStateStore(StoreNames.RETRY_STATE), config, context.taskId().toString(), metrics);
        this.dispatcher = new CallDispatcher(pool::executor, pool::slots);
        this.guard = new CircuitGuard(config, context.getStateStore(StoreNames.CIRCUITS), context.getStateStore(StoreNames.CONTROL),
                context.taskId().toString(), random);
        this.terminal = new TerminalWriter(context, new DedupStore(context.getStateStore(StoreNames.DEDUP), config.dedupWindow()),
                inFlight, metrics, config);
        this.mail = new OwnerMail(context, config);
        this.cache = new ResponseCache(context.getStateStore(StoreNames.CACHE), context.getStateStore(StoreNames.CACHE_INDEX));
        this.env = new TaskEnv(pool.retryLimiter(), random, cache);
        this.restored = new RestoredEntries(inFlight, context.taskId().toString());
        this.quotas = new TaskQuotas(config, context.getStateStore(StoreNames.QUOTA), context.taskId().toString(), metrics);
        this.gateway = new CallGate(config, dispatcher, guard, quotas, metrics, random);
        context.schedule(DRAIN_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::drain);
        context.schedule(TIMER_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::fireDue);
    }

    @Override
    public void process(final Record<String, byte[]> record) {
        final Optional<String> topic = context.recordMetadata().map(m -> m.topic());
        if (topic.isPresent() && retryTopics.contains(topic.get())) {
            gate.enter(record.key(), record.value());
            return;
        }
        final Instant now = now();
        final Source source = context.recordMetadata().map(m -> new Source(m.topic(), m.partition(), m.offset())).orElse(null);
        try {
            onRequest(record, source, now);
        } catch (final StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            // before the request had an entry of its own: nothing else to clean up
            LOG.error("bug: handling the record at {} failed; it is dead-lettered as PROCESSING_ERROR", source, e);
            terminal.rejected(record.key(), terminals.processingError(record.value(), source, describe(e), now));
        }
    }

    private void onRequest(final Record<String, byte[]> record, final Source source, final Instant now) {
        final ParseResult parsed = parser.parse(record.value(), now);
        if (parsed instanceof ParseResult.Rejected rejected) {
            LOG.debug("rejected request at {}: {} {}", source, rejected.reason(), redact.apply(rejected.message()));
            terminal.rejected(record.key(), terminals.rejected(rejected, source, now));
            return;
        }
        final AgentRequest request = ((ParseResult.Valid) parsed).request();
        if (terminal.replayed(record.key(), request.id(), request.replyTo(), now)) {
            return; // answered before: the stored outcome repeated, never the call
        }
        if (inFlight.get(request.id()) != null) {
            LOG.debug("request {} is already in flight; duplicate ignored", request.id());
            return; // the first copy's terminal record answers this one too
        }
        handle(request.id(), null, new Event.Arrived(record.key(), request, source), now,
                () -> InFlightEntry.first(record.key(), request, now, source));
    }

    private void drain(final long timestamp) {
        metrics.punctuated();
        dispatcher.drain(this::complete, MAX_DRAIN);
        gateway.recallRefused(now(), (id, defer) -> {
            final InFlightEntry entry = inFlight.get(id);
            handle(id, entry, defer == null ? new Event.Resumed() : new Event.NotAdmitted(defer), now(), () -> entry);
        });
        mail.outcomes(guard.takeOutcomes());
        resumeSome();
        dispatcher.startWaiting();
        quotas.tick(gateway.backlog(), mail, now());
        resumeParked();
        retryStates.flush(now());
    }

    private void fireDue(final long timestamp) {
        final Instant now = now();
        for (final RetryGate.Due due : gate.due(now, MAX_FIRE)) {
            fire(due, inFlight.readable(due.id()), now);
        }
    }

    /** A timer is due (or a parked request's turn came before it): its request goes on, then the timer is removed unless just set again. */
    private void fire(final RetryGate.Due due, final InFlightEntry entry, final Instant now) {
        lastScheduled = null;
        if (entry != null) {
            handle(due.id(), entry, new Event.TimerDue(due.attempt(), due.due()), now, () -> entry);
        }
        if (!due.key().equals(lastScheduled)) {
            gate.remove(due.key());
        }
    }

    /** A parked request's turn came before its timer: it goes on as if the timer were due. */
    private void fireEarly(final String id, final InFlightEntry entry, final Instant now) {
        fire(RetryGate.timer(id, entry.attempt(), entry.dueAt()), entry, now);
    }

    /**
     * Resumes parked requests, in turn, while their targets have room and quota, without waiting
     * for their timers. An id whose request has moved on (answered, called by its timer, now waiting
     * for another target) is skipped: it is in that target's backlog if it waits there.
     */
    private void resumeParked() {
        final Instant now = now();
        gateway.resume((target, id) -> {
            final InFlightEntry entry = inFlight.readable(id);
            if (entry != null && entry.parked() && lifecycle.callingTarget(entry).filter(owner(target)::equals).isPresent()) {
                fireEarly(id, entry, now);
            }
        }, MAX_RESUME, now);
    }

    /**
     * Resumes restored entries, {@link #MAX_RESUME} a tick: one neither running here nor waiting is
     * started again; one parked goes back into its target's backlog, in the order it came, rather
     * than waiting for its timer. Announces recovery targets first.
     */
    private void resumeSome() {
        if (restored.done()) {
            return;
        }
        final Instant now = now();
        if (restored.atStart()) {
            mail.announceRecoveryTargets(now);
        }
        final int[] restarted = {0};
        restored.next(MAX_RESUME, (id, entry) -> {
            if (dispatcher.isActive(id)) {
                return;
            }
            if (!entry.waiting()) {
                handle(id, entry, new Event.Resumed(), now, () -> entry);
                restarted[0]++;
            } else if (entry.parked()) {
                lifecycle.callingTarget(entry).ifPresentOrElse(t -> gateway.park(t, id, entry), () -> fireEarly(id, entry, now));
            }
        });
        if (restarted[0] > 0) {
            LOG.info("task {}: restarted {} in-flight call(s) restored from the changelog", context.taskId(), restarted[0]);
        }
    }

    private void complete(final Completion c) {
        final String id = c.spec().requestId();
        final Instant now = now();
        try {
            quotas.ended(id, c.spec().target(), c.outcome(), c.called());
            final TargetConfig target = config.target(c.spec().target()).orElse(null);
            final Optional<ErrorCategory> failed = c.outcome() instanceof CallOutcome.Failed f
                    ? Optional.of(f.classification().category()) : Optional.empty();
            if (target != null && c.called()) {
                // every attempt that reached the target is evidence about it, even a stale one
                guard.ended(id, target, failed, c.outcome().durationMs(), now);
                gateway.observed(target, c.outcome().durationMs());
            } else {
                guard.forget(id); // never called (its deadline passed in line): no evidence, but its admission ends
            }
            final InFlightEntry entry = inFlight.get(id);
            if (entry == null || entry.waiting() || entry.attempt() != c.spec().attempt() || target == null) {
                return; // stale: the request ended or moved on
            }
            metrics.attempt(target.name(), failed.isEmpty() ? "success" : "failure", failed.map(Enum::name).orElse(""),
                    Duration.ofMillis(c.outcome().durationMs()));
            if (c.outcome() instanceof CallOutcome.Failed f) {
                alerts.onFailure(target.name(), f.classification(), now);
            }
            // an answer too large is not the target's failure, nor is an attempt never called; every other failure counts for the error window
            final TargetRetryState state = c.called()
                    ? retryStates.outcome(config.owner(target), now, failed.filter(f -> f != ErrorCategory.RESPONSE_TOO_LARGE))
                    : retryStates.get(config.owner(target));
            final Event.CallFinished finished = new Event.CallFinished(target.name(), c.spec().attempt(), c.outcome(), state);
            handle(id, entry, finished, now, () -> entry);
        } catch (final StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            crash(id, () -> null, e, now);
        }
    }

    /**
     * One request's failure boundary: the lifecycle's steps for {@code event}, executed; anything
     * thrown dead-letters this request alone ({@code known} is its entry if the store has none yet).
     */
    private void handle(final String id, final InFlightEntry entry, final Event event, final Instant now,
                        final Supplier<InFlightEntry> known) {
        try {
            List<Step> steps = lifecycle.next(entry, event, now, env);
            if (event instanceof Event.CallFinished f && terminal.tooLarge(steps)) {
                // the answer cannot be carried: that is this call's failure, and the lifecycle decides again
                steps = lifecycle.next(entry, new Event.CallFinished(f.target(), f.attempt(), HttpTargetExecutor.tooLarge(
                        f.outcome() instanceof CallOutcome.Success s ? s.status() : 200, terminal.tooLargeReason(),
                        f.outcome().startedAt(), f.outcome().durationMs()), f.state()), now, env);
            }
            execute(id, steps, now);
        } catch (final StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            crash(id, known, e, now);
        }
    }

    private void execute(final String id, final List<Step> steps, final Instant now) {
        for (final Step step : steps) {
            if (step instanceof Step.Call c) {
                call(id, c, now);
            } else if (step instanceof Step.Wait w) {
                inFlight.put(id, w.entry());
                lastScheduled = gate.schedule(id, w.entry().attempt(), w.entry().dueAt());
                w.tier().ifPresent(tier -> {
                    metrics.delayEntered();
                    context.forward(new Record<String, Object>(w.entry().key(), w.entry(), now.toEpochMilli()), Nodes.retrySink(tier));
                });
            } else if (step instanceof Step.Terminal t) {
                terminal.write(id, t, now);
            } else if (step instanceof Step.Remember r) {
                cache.put(r.primary(), r.cacheKey(), r.response(), r.httpStatus(), now, r.maxEntries());
            } else if (step instanceof Step.CancelCall) {
                gateway.drop(id);
            } else if (step instanceof Step.FirstAttempt f) {
                config.target(f.target()).ifPresent(t -> retryStates.firstAttempt(t, now));
            } else if (step instanceof Step.RetryGranted g) {
                config.target(g.target()).ifPresent(t -> retryStates.retryGranted(t, now, g.state()));
                metrics.retryScheduled(g.target(), RetrySettings.tierName(g.tier()));
            } else if (step instanceof Step.RetryFired f) {
                metrics.retryFired(f.lateness());
            } else if (step instanceof Step.FallbackUsed u) {
                metrics.fallback(u.primary(), u.servedBy(), u.outcome());
            }
        }
    }

    /**
     * Asks for the call, then stores the entry: a call that must wait is stored once, parked (a busy
     * running entry is always parked); a started call ends in a later drain, so nothing reads between.
     */
    private void call(final String id, final Step.Call c, final Instant now) {
        final CallGate.Outcome o = gateway.call(id, config.target(c.target()).orElseThrow(), c.entry(), c.timeout(), now);
        if (o instanceof CallGate.Waits w) {
            execute(id, lifecycle.next(c.entry(), new Event.Busy(w.what()), now, env), now);
            return;
        }
        inFlight.put(id, c.entry());
        if (o instanceof CallGate.Refused r) {
            execute(id, lifecycle.next(c.entry(), new Event.NotAdmitted(r.defer()), now, env), now);
        }
    }

    /**
     * The request failed inside Rebound: dead-letter it as {@code PROCESSING_ERROR}, forget its
     * entry and its call. If even that fails the request stays in flight, to be tried again after a
     * restart, and the failure is logged: a second terminal record is never risked.
     */
    private void crash(final String id, final Supplier<InFlightEntry> known, final RuntimeException e,
                       final Instant now) {
        LOG.error("bug: handling request {} failed; it is dead-lettered as PROCESSING_ERROR", id, e);
        gateway.drop(id);
        try {
            final InFlightEntry stored = inFlight.readable(id);
            final InFlightEntry entry = stored != null ? stored : known.get();
            if (entry == null || terminal.answered(id, now)) {
                return; // already answered, or nothing left to answer for
            }
            execute(id, lifecycle.next(entry, new Event.Crashed(describe(e)), now, env), now);
        } catch (final StreamsException fatal) {
            throw fatal;
        } catch (final RuntimeException again) {
            LOG.error("could not dead-letter request {} after a failure; it stays in flight", id, again);
        }
    }

    private String describe(final Throwable e) {
        return redact.apply(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    /** The name a request calling {@code target} names: its pool for one endpoint of a pool. */
    private String owner(final String target) {
        return config.target(target).map(config::owner).map(TargetConfig::name).orElse(target);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            dispatcher.close(); // the backlog and the quotas' counts go with this processor
        }
    }
}
