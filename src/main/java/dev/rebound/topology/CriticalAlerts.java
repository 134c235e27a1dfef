package dev.rebound.topology;

import dev.rebound.classify.Classification;
import dev.rebound.classify.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Failures a person must fix (bad credentials, a spent quota: severity CRITICAL) are logged at
 * ERROR as an {@code ALERT}, at most once a minute per target, so that one bad key cannot flood
 * the log. Secrets are masked in the message.
 */
final class CriticalAlerts {

    private static final Logger LOG = LoggerFactory.getLogger(CriticalAlerts.class);
    private final RateLimitedLog log = new RateLimitedLog(Duration.ofMinutes(1));
    private final UnaryOperator<String> redact;

    CriticalAlerts(final UnaryOperator<String> redact) {
        this.redact = redact;
    }

    void onFailure(final String target, final Classification failure, final Instant now) {
        if (failure.severity() == Severity.CRITICAL && log.due(target, now)) {
            LOG.error("ALERT target {}: {} (HTTP {}): {}; not retried, this needs a person", target, failure.category(),
                    failure.httpStatus(), redact.apply(failure.message()));
        }
    }
}
