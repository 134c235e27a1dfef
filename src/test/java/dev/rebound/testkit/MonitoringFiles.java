package dev.rebound.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files under {@code monitoring/} as a test reads them: the Grafana dashboard, the Prometheus
 * alerting rules, every PromQL expression in them, the Rebound metric names those expressions use,
 * and the metric names a {@code /metrics} scrape exposes. Kept apart from the tests so that the
 * check of names against a scrape can itself be tested on a scrape written by hand.
 */
public final class MonitoringFiles {

    public static final Path DASHBOARD = Path.of("monitoring", "grafana-dashboard.json");
    public static final Path RULES = Path.of("monitoring", "rebound-alerts.yml");

    /** A Rebound metric in PromQL; Micrometer's dots became underscores, so no dot or digit follows. */
    private static final Pattern METRIC = Pattern.compile("rebound_[a-z_]+");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private MonitoringFiles() {
    }

    public static JsonNode dashboard() {
        return read(JSON, DASHBOARD);
    }

    public static JsonNode rules() {
        return read(YAML, RULES);
    }

    private static JsonNode read(final ObjectMapper mapper, final Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every PromQL expression of the dashboard: its panels' targets (rows' nested panels too) and its query variables. */
    public static List<String> dashboardExpressions() {
        final List<String> out = new ArrayList<>();
        final JsonNode dash = dashboard();
        panels(dash.path("panels"), out);
        for (final JsonNode v : dash.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                out.add(v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText());
            }
        }
        return out;
    }

    private static void panels(final JsonNode panels, final List<String> out) {
        for (final JsonNode p : panels) {
            for (final JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
            panels(p.path("panels"), out);
        }
    }

    /** The {@code expr} of every alerting rule. */
    public static List<String> ruleExpressions() {
        final List<String> out = new ArrayList<>();
        for (final JsonNode group : rules().path("groups")) {
            for (final JsonNode rule : group.path("rules")) {
                out.add(rule.path("expr").asText());
            }
        }
        return out;
    }

    /** The Rebound metric names the expressions use. */
    public static Set<String> metricNames(final List<String> expressions) {
        final Set<String> names = new TreeSet<>();
        for (final String e : expressions) {
            final Matcher m = METRIC.matcher(e);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The names of the samples in a Prometheus text exposition (with their suffixes: {@code _count}, {@code _bucket}, ...). */
    public static Set<String> scrapedNames(final String scrape) {
        final Set<String> names = new TreeSet<>();
        for (final String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            final int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            names.add(end < 0 ? line.trim() : line.substring(0, end));
        }
        return names;
    }

    /** The names {@code expressions} use that {@code scrape} does not expose: empty when the dashboard or rules can work. */
    public static Set<String> missing(final List<String> expressions, final String scrape) {
        final Set<String> missing = metricNames(expressions);
        missing.removeAll(scrapedNames(scrape));
        return missing;
    }
}
