package dev.rebound.ratelimit;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.rebound.config.RateLimitPolicy;
import dev.rebound.request.Priority;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One rate-limited target's quota, kept by the task that owns the target (DESIGN §5, §7): the
 * owner hears every calling task's {@link Demand} and, every round, grants each task a share of
 * what the limits allow now. A grant is spent by the owner when it is made, so whatever the tasks
 * do with it the cluster never starts more calls than were granted. Pure: time is passed in.
 *
 * <p>Why it holds:
 * <ul>
 *   <li><b>Requests and tokens per minute</b>: grants over any {@link #WINDOW} never exceed the
 *       limit, and a task may use a grant only within {@link #GRANT_LIFE} of first seeing it, so the
 *       calls in any 60 s come from grants made in a window of 60 s + {@code GRANT_LIFE} + the
 *       spread of delivery delays, which {@code WINDOW} covers. Grants are also paced at
 *       {@code limit / WINDOW} per second with a burst of one second's worth: providers enforce
 *       their minute in slices of a second or so, and so a minute's quota is never spent at once.</li>
 *   <li><b>Concurrency</b>: a task may have as many calls in flight as its allowance. An allowance
 *       is lowered at once but the capacity it frees is handed to others only after the task has
 *       said (with the grant's sequence number) that it saw the lower allowance, and its reported
 *       calls in flight count until then: the sum of what every task may be running stays within
 *       the limit.</li>
 *   <li><b>The provider's word</b>: its remaining requests or tokens cap the grants until its reset;
 *       a 429's {@code Retry-After} stops them until then and starts a new epoch, on which every
 *       task drops what it holds.</li>
 *   <li><b>Priority</b>: each round serves waiting {@code high} requests of every task before any
 *       {@code normal} one, and those before {@code low}; within a priority the tasks take turns.</li>
 * </ul>
 * Crashes: the owner's ledger is in a changelogged store written in the same transaction as its
 * grants; a task that restarts ignores the grants it finds at start, so none is spent twice.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class QuotaLedger {

    /** How long a task may hold a grant after first seeing it before it lapses. */
    public static final Duration GRANT_LIFE = Duration.ofSeconds(1);
    /** The window over which grants are counted against a per-minute limit (see the class comment). */
    public static final Duration WINDOW = Duration.ofSeconds(62);
    /** The burst the pacer allows: a second's worth of the limit. */
    static final Duration BURST = Duration.ofSeconds(1);
    /** A task not heard from for this long holds no allowance any more (its calls have ended). */
    static final Duration FORGET_TASK = Duration.ofSeconds(30);

    /** The most requests one task is believed to wait with, per priority. */
    static final long MAX_WAITING = 1_000_000;

    /** What the owner knows of one calling task. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    static final class Share {
        long[] waiting = new long[Priority.values().length];
        long[] tokens = new long[Priority.values().length];
        long[] heads = new long[Priority.values().length];
        int inFlight;
        long seenSeq;
        /** Granted so far, for ever: a task's record carries the totals, so a missed record loses nothing. */
        long grantedRequests;
        long grantedTokens;
        /** Calls it may have in flight now, and the highest allowance it may still act on until it confirms a lower one. */
        int allowance;
        int ceiling;
        long allowanceSeq;
        /** The total granted the task had seen when it last spoke. */
        long seenRequests;
        Instant heardAt;
        /** Granted in the current round, towards what it waits for. */
        @JsonIgnore
        transient long roundRequests;

        long waitingTotal() {
            long n = 0;
            for (final long w : waiting) {
                n += Math.max(0, w);
            }
            return n;
        }

        /** What the task may be running: the most it may act on, or what it said it runs. */
        long held() {
            return Math.max(Math.max(ceiling, allowance), inFlight);
        }
    }

    private GrantPace pace = new GrantPace();
    private long seq;
    private long epoch;
    private Instant pausedUntil;
    private ProviderWord word;
    private Instant wordAt;
    private long issuedSinceWordRequests;
    private long issuedSinceWordTokens;
    private TreeMap<String, Share> tasks = new TreeMap<>();
    private int turn;

    public QuotaLedger() {
    }

    /** What a task's grant record says: its totals so far and its allowance, under the round's sequence number. */
    public record Grant(String task, long requests, long tokens, int allowance) {
    }

    /** A round's result: the grants that changed, and whether the target's summary changed (a pause, a new epoch). */
    public record Round(long seq, long epoch, List<Grant> grants, Instant pausedUntil) {
    }

    /** A task's demand arrives. Its settlement corrects the tokens granted in the current second. */
    public void heard(final Demand d, final Instant now) {
        final Share s = tasks.computeIfAbsent(d.task(), t -> new Share());
        // a demand comes over a topic: counts beyond any real backlog are clamped, so no record can make a round loop for long
        s.waiting = clamp(d.waiting(), MAX_WAITING);
        s.tokens = clamp(d.tokens(), MAX_WAITING * 1_000_000L);
        s.heads = clamp(d.heads(), 1_000_000_000L);
        s.inFlight = Math.max(0, d.inFlight());
        s.seenSeq = Math.max(s.seenSeq, d.seenSeq());
        s.seenRequests = Math.max(s.seenRequests, d.seenRequests());
        // a task forgotten while idle comes back with totals seen before: its grants go on from there
        s.grantedRequests = Math.max(s.grantedRequests, d.seenRequests());
        s.grantedTokens = Math.max(s.grantedTokens, d.seenTokens());
        s.heardAt = now;
        if (s.seenSeq >= s.allowanceSeq) {
            s.ceiling = s.allowance; // the task has seen its latest allowance: it acts on nothing higher
        }
        if (d.settle() != 0) {
            pace.settle(now, d.settle());
        }
        if (d.word() != null && d.word().saysAnything()) {
            provider(d.word(), now);
        }
    }

    /**
     * What the provider said: a pause (429 with {@code Retry-After}) stops grants until it ends and
     * starts a new epoch; remaining requests or tokens cap grants until their reset.
     */
    private void provider(final ProviderWord w, final Instant now) {
        final Instant pause = w.pausedUntil().orElse(null);
        if (pause != null && pause.isAfter(now) && (pausedUntil == null || pause.isAfter(pausedUntil))) {
            pausedUntil = pause;
            epoch++;
        }
        if (w.remainingRequests().isPresent() || w.remainingTokens().isPresent()) {
            final boolean spentBefore = word != null && (left(word.remainingRequests()) || left(word.remainingTokens()));
            word = w;
            wordAt = now;
            issuedSinceWordRequests = 0;
            issuedSinceWordTokens = 0;
            if (!spentBefore && (left(w.remainingRequests()) || left(w.remainingTokens()))) {
                epoch++; // nothing left at the provider: what tasks hold must not be spent
            }
        }
    }

    /**
     * One round: refill, then grant what the limits allow to the tasks that wait, by priority.
     * Returns the grant records to publish (a task's totals when they changed).
     */
    public Round round(final RateLimitPolicy p, final Instant now) {
        pace.refill(p, now);
        pace.prune(now);
        if (word != null && !resetAhead(word.requestsResetAt(), now) && !resetAhead(word.tokensResetAt(), now)) {
            word = null;
        }
        final long before = epoch;
        final Map<String, Grant> changed = new LinkedHashMap<>();
        tasks.entrySet().removeIf(e -> e.getValue().heardAt != null && e.getValue().heardAt.plus(FORGET_TASK).isBefore(now)
                && e.getValue().inFlight == 0);
        if (p.concurrency() > 0) {
            allow(p.concurrency(), changed);
        }
        if ((p.requestsPerMinute() > 0 || p.tokensPerMinute() > 0) && !paused(now)) {
            grantUnits(p, now, changed);
        }
        if (!changed.isEmpty() || epoch != before) {
            seq++;
        }
        for (final Share s : tasks.values()) {
            s.roundRequests = 0;
        }
        return new Round(seq, epoch, List.copyOf(changed.values()), paused(now) ? pausedUntil : null);
    }

    private void grantUnits(final RateLimitPolicy p, final Instant now, final Map<String, Grant> changed) {
        long units = Long.MAX_VALUE;
        double tokensLeft = Double.MAX_VALUE;
        if (p.requestsPerMinute() > 0) {
            units = pace.requestsAvailable(p);
        }
        if (p.tokensPerMinute() > 0) {
            tokensLeft = pace.tokensAvailable(p);
        }
        if (word != null && wordAt != null) {
            if (word.remainingRequests().isPresent() && resetAhead(word.requestsResetAt(), now)) {
                units = Math.min(units, word.remainingRequests().getAsLong() - issuedSinceWordRequests);
            }
            if (word.remainingTokens().isPresent() && resetAhead(word.tokensResetAt(), now)) {
                tokensLeft = Math.min(tokensLeft, word.remainingTokens().getAsLong() - issuedSinceWordTokens);
            }
        }
        final List<String> names = new ArrayList<>(tasks.keySet());
        if (names.isEmpty()) {
            return;
        }
        turn = Math.floorMod(turn + 1, names.size());
        for (final Priority priority : Priority.values()) {
            boolean progress = true;
            while (progress && units > 0) {
                progress = false;
                for (int i = 0; i < names.size() && units > 0; i++) {
                    final String task = names.get(Math.floorMod(turn + i, names.size()));
                    final Share s = tasks.get(task);
                    final int pr = priority.ordinal();
                    if (s.roundRequests >= need(s, pr)) {
                        continue;
                    }
                    // at least what the first waiting request wants, so that the one at the head can start
                    final long want = Math.max(s.heads[pr], s.waiting[pr] <= 0 ? 0 : Math.max(0, s.tokens[pr]) / s.waiting[pr]);
                    final long tokens = p.tokensPerMinute() > 0 ? Math.max(1, want) : 0;
                    final double burst = GrantPace.burst(p.tokensPerMinute());
                    // a request larger than a second's tokens goes when the bucket is full, never beyond the window's limit
                    if (p.tokensPerMinute() > 0 && tokens > tokensLeft
                            && !(tokensLeft >= burst && tokens > burst && tokens <= pace.tokensInWindow(p))) {
                        return; // the head request of this priority must wait for tokens: nothing lower goes first
                    }
                    units--;
                    tokensLeft -= tokens;
                    s.roundRequests++;
                    s.grantedRequests++;
                    s.grantedTokens += tokens;
                    pace.spend(p, now, tokens);
                    issuedSinceWordRequests++;
                    issuedSinceWordTokens += tokens;
                    changed.put(task, new Grant(task, s.grantedRequests, s.grantedTokens, s.allowance));
                    progress = true;
                }
            }
            if (units <= 0) {
                return;
            }
            final int pr = priority.ordinal();
            if (tasks.values().stream().anyMatch(s -> s.roundRequests < need(s, pr))) {
                return; // this priority still waits: nothing lower is granted
            }
        }
    }

    /**
     * The grants a task still needs for its requests of priorities up to {@code pr}: what it waits
     * with, less what was granted that it had not seen when it spoke (on its way to it).
     */
    private static long need(final Share s, final int pr) {
        long n = 0;
        for (int i = 0; i <= pr; i++) {
            n += Math.max(0, s.waiting[i]);
        }
        return n - Math.max(0, s.grantedRequests - s.roundRequests - s.seenRequests);
    }

    /**
     * Concurrency allowances, max-min fair over what each task runs and waits with. Lowered at once;
     * raised only out of what no task may still be running.
     */
    private void allow(final int limit, final Map<String, Grant> changed) {
        final Map<String, Long> want = new LinkedHashMap<>();
        tasks.forEach((t, s) -> want.put(t, s.inFlight + s.waitingTotal()));
        final Map<String, Integer> fair = FairShare.of(want, limit);
        for (final Map.Entry<String, Share> e : tasks.entrySet()) {
            final Share s = e.getValue();
            final int target = fair.getOrDefault(e.getKey(), 0);
            if (target < s.allowance) {
                s.allowance = target; // the ceiling stays until the task says it saw this
                s.allowanceSeq = seq + 1;
                changed.put(e.getKey(), new Grant(e.getKey(), s.grantedRequests, s.grantedTokens, target));
            }
        }
        long free = limit;
        for (final Share s : tasks.values()) {
            free -= s.held();
        }
        for (final Map.Entry<String, Share> e : tasks.entrySet()) {
            final Share s = e.getValue();
            final int target = fair.getOrDefault(e.getKey(), 0);
            final long held = s.held();
            final int raised = (int) Math.min(target, held + Math.max(0, free));
            if (raised > s.allowance) {
                s.allowance = raised;
                s.ceiling = Math.max(s.ceiling, raised);
                s.allowanceSeq = seq + 1;
                free -= s.held() - held;
                changed.put(e.getKey(), new Grant(e.getKey(), s.grantedRequests, s.grantedTokens, raised));
            }
        }
    }

    private static long[] clamp(final long[] values, final long max) {
        final long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.max(0, Math.min(max, values[i]));
        }
        return out;
    }

    private static boolean resetAhead(final Optional<Instant> reset, final Instant now) {
        return reset.isPresent() && reset.get().isAfter(now);
    }

    /** Whether the provider said nothing is left of a kind. */
    private static boolean left(final OptionalLong remaining) {
        return remaining.isPresent() && remaining.getAsLong() <= 0;
    }

    private boolean paused(final Instant now) {
        return pausedUntil != null && pausedUntil.isAfter(now);
    }

    /** What {@code /circuits} and {@code rebound status} show of this target's quota. */
    public record View(long requestsLeftInWindow, long tokensLeftInWindow, long[] waiting, Long providerRemainingRequests,
                       Long providerRemainingTokens, Instant pausedUntil, int tasks) {
    }

    public View view(final RateLimitPolicy p, final Instant now) {
        final long[] waiting = new long[Priority.values().length];
        for (final Share s : tasks.values()) {
            for (int i = 0; i < waiting.length; i++) {
                waiting[i] += Math.max(0, s.waiting[i]);
            }
        }
        return new View(p.requestsPerMinute() > 0 ? Math.max(0, p.requestsPerMinute() - pace.issued(true)) : -1,
                p.tokensPerMinute() > 0 ? Math.max(0, p.tokensPerMinute() - pace.issued(false)) : -1, waiting,
                word == null || word.remainingRequests().isEmpty() ? null : word.remainingRequests().getAsLong(),
                word == null || word.remainingTokens().isEmpty() ? null : word.remainingTokens().getAsLong(),
                paused(now) ? pausedUntil : null, tasks.size());
    }
}
