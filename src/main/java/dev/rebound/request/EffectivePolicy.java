package dev.rebound.request;

import java.util.List;

/**
 * The policy a request ran under, as its terminal record states it (DESIGN §2).
 *
 * <p><em>Effective</em> means: the target's configured policy narrowed by the request's own
 * {@code policy}, field by field, under the configuration that handled the request. A field the
 * request did not give is the target's; a field it gave is the request's (which the parser
 * allowed only if it was no wider). It is the ceiling the request ran under, not what happened:
 * adaptive retry, the retry budget and {@code limits.maxAttemptsPerRequest} may have allowed fewer
 * attempts, and the deadline may have cut an attempt shorter.
 *
 * @param maxAttempts the most attempts of the request's own target (its retry stage, fallback
 *                    targets excluded): {@code policy.maxAttempts}, or the target's {@code retry.maxAttempts}
 * @param fallback    the {@code servedBy} names of the fallback steps the request allowed, in the
 *                    chain's order; empty for {@code "fallback": false} or a target without a chain
 * @param timeoutMs   the per-attempt timeout of the target, in ms: {@code policy.timeoutMs}, or the
 *                    target's {@code timeout} (a request's {@code policy.timeoutMs} also caps its
 *                    fallback targets' attempts)
 * @param tokens      the tokens the request declared ({@code policy.tokens}), or {@code null}
 */
public record EffectivePolicy(int maxAttempts, List<String> fallback, long timeoutMs, Long tokens) {

    public EffectivePolicy {
        fallback = List.copyOf(fallback);
    }
}
