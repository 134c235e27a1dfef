package dev.rebound.classify;

/** How much attention a failure deserves from an operator, lowest first. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL
}
