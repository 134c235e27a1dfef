package dev.rebound.request;

/**
 * Why one fallback step could not answer, as listed in a {@code FALLBACK_FAILED} dead letter.
 *
 * @param step     the step's position in the chain, 1-based
 * @param servedBy the step: a target name, {@code cache} or {@code static}
 * @param error    what went wrong
 */
public record FallbackFailure(int step, String servedBy, String error) {
}
