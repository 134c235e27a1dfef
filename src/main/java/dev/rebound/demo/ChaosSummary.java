package dev.rebound.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.request.AgentResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the chaos demo checked in the terminal records of its hard requests (DESIGN §4 and §7): the
 * simulator misbehaved, garbage reached the compacted topics, and still ids and answers carrying a
 * non-secret header value came back as sent, the secret the simulator quoted back was masked, and
 * the requests at the nesting and size limits were answered.
 *
 * @param misbehaved      calls that got each protocol-breaking answer, by its script name
 * @param garbageWritten  garbage records the broker stored on {@code agent-control} and {@code agent-circuits}
 * @param garbageRefused  garbage the broker refused, and why
 * @param headerValueIds  valid requests whose id contains the header value
 * @param rewritten       of those, the terminal records whose id (or echoed answer) no longer contains it
 * @param secretEchoes    valid requests whose failures quote the secret header back
 * @param masked          of those, the terminal records that show the quote masked as {@code ***}
 * @param leaked          terminal records, of any request, that contain the secret
 * @param nestingLimit    what became of the request at the nesting limit: its outcome, its dead letter's reason, or
 *                        {@code no terminal record}
 * @param sizeLimit       what became of the request at the payload size limit
 * @param problems        the first few records that failed a check, for a person to look at
 */
public record ChaosSummary(Map<String, Long> misbehaved, int garbageWritten, List<String> garbageRefused, long headerValueIds,
                           long rewritten, long secretEchoes, long masked, long leaked, String nestingLimit, String sizeLimit,
                           List<String> problems, String health) {

    /** The summary of a run that was not the chaos scenario. */
    public static final ChaosSummary NONE = new ChaosSummary(Map.of(), 0, List.of(), 0, 0, 0, 0, 0, "none", "none", List.of(), "live and ready");

    private static final int MAX_PROBLEMS = 5;
    /** The processor's own verdict after the run when both its health endpoints agree it is fine. */
    static final String HEALTHY = "live and ready";

    public ChaosSummary {
        misbehaved = Map.copyOf(misbehaved);
        garbageRefused = List.copyOf(garbageRefused);
        problems = List.copyOf(problems);
    }

    /** Whether nothing was rewritten or leaked, both limit requests were answered with a result, and the processor is live and ready. */
    public boolean clean() {
        return rewritten == 0 && leaked == 0 && answered(nestingLimit) && answered(sizeLimit) && HEALTHY.equals(health);
    }

    /** This summary with the processor's health after the run: {@code live and ready}, or what is not. */
    public ChaosSummary withHealth(final String verdict) {
        return new ChaosSummary(misbehaved, garbageWritten, garbageRefused, headerValueIds, rewritten, secretEchoes, masked, leaked,
                nestingLimit, sizeLimit, problems, verdict);
    }

    private static boolean answered(final String outcome) {
        return AgentResult.SUCCEEDED.equals(outcome) || AgentResult.FALLBACK.equals(outcome);
    }

    /**
     * Checks the terminal records of {@code items}.
     *
     * @param terminal the latest terminal record of a record key, or {@code null} ({@link TerminalCounter#last})
     * @param secret   the secret header's value as configured ({@code Bearer sk-...})
     */
    public static ChaosSummary check(final List<DemoLoad.Item> items, final Function<String, JsonNode> terminal, final String secret,
                                     final Map<String, Long> misbehaved, final List<CompactedGarbage.Written> garbage) {
        final String token = secret.substring(secret.lastIndexOf(' ') + 1);
        final List<String> problems = new ArrayList<>();
        long headerValueIds = 0;
        long rewritten = 0;
        long secretEchoes = 0;
        long masked = 0;
        long leaked = 0;
        String nesting = "no terminal record";
        String size = "no terminal record";
        for (final DemoLoad.Item item : items) {
            final JsonNode record = terminal.apply(item.key());
            if (record == null) {
                continue; // counted as lost
            }
            final String text = record.toString();
            if (text.contains(token)) {
                leaked++;
                problem(problems, item, "contains the secret");
            }
            switch (item.kind()) {
                case HEADER_VALUE_ID, HEADER_VALUE_ECHO -> {
                    headerValueIds++;
                    final boolean idIntact = item.id().equals(record.path("id").asText());
                    final boolean answerIntact = item.kind() != DemoLoad.Kind.HEADER_VALUE_ECHO
                            || !AgentResult.SUCCEEDED.equals(record.path("outcome").asText())
                            || record.path("response").toString().contains("anthropic-version: " + DemoLoad.HEADER_VALUE);
                    if (!idIntact || !answerIntact) {
                        rewritten++;
                        problem(problems, item, idIntact ? "answer rewritten: " + clip(record.path("response").toString())
                                : "id rewritten to '" + record.path("id").asText() + "'");
                    }
                }
                case SECRET_ECHO -> {
                    secretEchoes++;
                    if (text.contains("Authorization: ***")) {
                        masked++;
                    }
                }
                case NESTING_LIMIT -> nesting = fate(record);
                case SIZE_LIMIT -> size = fate(record);
                default -> {
                    // nothing more to check than lost, duplicated and answered
                }
            }
        }
        int written = 0;
        final List<String> refused = new ArrayList<>();
        for (final CompactedGarbage.Written w : garbage) {
            written += w.written();
            refused.addAll(w.refused());
        }
        return new ChaosSummary(misbehaved, written, refused, headerValueIds, rewritten, secretEchoes, masked, leaked, nesting, size,
                problems, "not checked");
    }

    /** The summary's chaos rows. */
    public String table() {
        final StringBuilder b = new StringBuilder();
        b.append("\n  Chaos: what the simulator and the load did, and what came back\n");
        row(b, "misbehaved calls", misbehaved.values().stream().mapToLong(Long::longValue).sum(), misbehaved.toString());
        row(b, "garbage records", garbageWritten, "on agent-control and agent-circuits, midway"
                + (garbageRefused.isEmpty() ? "" : "; the broker refused " + garbageRefused.size() + ":"));
        for (final String r : garbageRefused) {
            b.append(String.format("  %-18s %10s     %s%n", "", "", r));
        }
        row(b, "header value ids", headerValueIds, rewritten == 0 ? "ids and answers with " + DemoLoad.HEADER_VALUE + " came back as sent"
                : rewritten + " REWRITTEN");
        row(b, "secret quoted back", secretEchoes, masked + " masked as ***" + (leaked == 0 ? ", none leaked" : ", " + leaked + " RECORDS LEAK IT"));
        b.append(String.format("  %-18s %10s   nesting %s; payload size %s%n", "limit requests", "", nestingLimit, sizeLimit));
        b.append(String.format("  %-18s %10s   %s (its /health/live and /health/ready checks, after the run)%n", "processor", "", health));
        for (final String p : problems) {
            b.append("    ").append(p).append('\n');
        }
        return b.toString();
    }

    private static String fate(final JsonNode terminal) {
        return terminal.hasNonNull("outcome") ? terminal.path("outcome").asText() : "dead-lettered " + terminal.path("reason").asText();
    }

    private static void problem(final List<String> problems, final DemoLoad.Item item, final String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(item.key() + " (" + item.id() + "): " + what);
        }
    }

    private static String clip(final String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    private static void row(final StringBuilder b, final String name, final long value, final String note) {
        b.append(String.format("  %-18s %10d   %s%n", name, value, note));
    }
}
