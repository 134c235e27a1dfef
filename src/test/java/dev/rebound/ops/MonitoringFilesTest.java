package dev.rebound.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebound.testkit.MonitoringFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The structure of {@code monitoring/}: alerting rules that Prometheus would load, a dashboard that
 * Grafana would import with any Prometheus data source, and the check of metric names against a
 * scrape. Whether the names exist in a real scrape is {@code MonitoringMetricsIntegrationTest}.
 */
class MonitoringFilesTest {

    private static final Set<String> RULE_KEYS = Set.of("alert", "expr", "for", "labels", "annotations");

    @Test
    void shouldHaveRuleGroupsWhoseRulesPrometheusWouldLoad() {
        final JsonNode groups = MonitoringFiles.rules().path("groups");
        assertThat(groups.isArray() && groups.size() > 0).as("groups: a non-empty list").isTrue();
        final Set<String> groupNames = new HashSet<>();
        final Set<String> alerts = new HashSet<>();
        for (final JsonNode group : groups) {
            assertThat(groupNames.add(group.path("name").asText())).as("group name unique and set: " + group.path("name")).isTrue();
            assertThat(group.path("rules").size()).as(group.path("name") + ": rules").isPositive();
            for (final JsonNode rule : group.path("rules")) {
                final String alert = rule.path("alert").asText();
                assertThat(alert).as("alert name").matches("Rebound[A-Z][A-Za-z]+");
                assertThat(alerts.add(alert)).as(alert + " unique").isTrue();
                rule.fieldNames().forEachRemaining(k -> assertThat(RULE_KEYS).as(alert + ": key " + k).contains(k));
                assertThat(rule.path("expr").asText()).as(alert + ": expr").isNotBlank();
                assertThat(rule.path("for").asText()).as(alert + ": for").matches("(\\d+(ms|s|m|h|d|w|y))+");
                assertThat(rule.path("labels").path("severity").asText()).as(alert + ": labels.severity")
                        .isIn("info", "warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).as(alert + ": annotations.summary").isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as(alert + ": annotations.description").isNotBlank();
            }
        }
    }

    @Test
    void shouldImportWithThePrometheusDataSourceAsAVariable() {
        final JsonNode dash = MonitoringFiles.dashboard();
        assertThat(dash.path("uid").asText()).isNotBlank();
        final JsonNode ds = dash.path("templating").path("list").get(0);
        assertThat(ds.path("type").asText()).isEqualTo("datasource");
        assertThat(ds.path("query").asText()).isEqualTo("prometheus");
        final Set<Integer> ids = new HashSet<>();
        for (final JsonNode panel : dash.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id unique: " + panel.path("title")).isTrue();
            for (final JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).as(panel.path("title") + ": datasource")
                        .isEqualTo("${" + ds.path("name").asText() + "}");
            }
        }
    }

    @Test
    void shouldHaveBalancedBracketsInEveryExpression() {
        for (final String e : all()) {
            assertThat(balanced(e)).as(e).isTrue();
        }
    }

    @Test
    void shouldCoverWhatAnOperatorLooksAtFirst() {
        assertThat(MonitoringFiles.metricNames(MonitoringFiles.dashboardExpressions())).contains(
                "rebound_circuit_state", "rebound_delay_waiting", "rebound_terminal_total", "rebound_retry_budget_left",
                "rebound_ratelimit_remaining", "rebound_in_flight", "rebound_concurrency_limit",
                "rebound_attempt_duration_seconds_bucket", "rebound_ratelimit_wait_seconds", "rebound_ratelimit_wait_seconds_count");
        assertThat(MonitoringFiles.metricNames(MonitoringFiles.ruleExpressions())).contains(
                "rebound_circuit_state", "rebound_terminal_total", "rebound_retry_budget_left", "rebound_delay_waiting");
    }

    @Test
    void shouldReportANameThatTheScrapeDoesNotHave() {
        // given a scrape written by hand
        final String scrape = """
                # HELP rebound_in_flight Calls running now
                # TYPE rebound_in_flight gauge
                rebound_in_flight{target="llm"} 0.0
                rebound_delay_waiting 3.0
                rebound_attempt_duration_seconds_bucket{le="0.025",target="llm"} 1
                """;

        // when / then: a bogus name, and a suffix the scrape does not have, are reported; the others are not
        assertThat(MonitoringFiles.missing(List.of("sum by (target) (rebound_in_flight{target=~\"$target\"})",
                "sum(rebound_delay_waiting) / sum(rebound_no_such_metric)",
                "histogram_quantile(0.99, sum by (le) (rate(rebound_attempt_duration_seconds_bucket[5m])))",
                "rate(rebound_attempt_duration_seconds_count[5m])"), scrape))
                .containsExactly("rebound_attempt_duration_seconds_count", "rebound_no_such_metric");
    }

    private static List<String> all() {
        final List<String> all = new ArrayList<>(MonitoringFiles.dashboardExpressions());
        all.addAll(MonitoringFiles.ruleExpressions());
        return all;
    }

    private static boolean balanced(final String e) {
        final StringBuilder open = new StringBuilder();
        boolean quoted = false;
        for (final char c : e.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && "({[".indexOf(c) >= 0) {
                open.append(c);
            } else if (!quoted && ")}]".indexOf(c) >= 0) {
                if (open.length() == 0 || "({[".indexOf(open.charAt(open.length() - 1)) != ")}]".indexOf(c)) {
                    return false;
                }
                open.setLength(open.length() - 1);
            }
        }
        return open.length() == 0 && !quoted;
    }
}
