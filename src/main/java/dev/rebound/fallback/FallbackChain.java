package dev.rebound.fallback;

import dev.rebound.config.FallbackStep;

import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

/**
 * Which fallback step comes next (the seed's ChainedFallback, as a pure function). Steps are tried
 * in the configured order, each only when the primary's {@link Trigger} matches its {@code on}
 * list by category or by reason. Every step is matched against the primary's trigger, not against
 * an earlier fallback's failure: {@code on} says why the <em>primary</em> could not answer, so a
 * context-length step is not skipped because the larger-context target then timed out.
 */
public final class FallbackChain {

    private FallbackChain() {
    }

    public static boolean matches(final FallbackStep step, final Trigger trigger) {
        return step.on().contains(trigger.category().name()) || step.on().contains(trigger.reason().name());
    }

    /** The index of the first step at or after {@code from} that answers {@code trigger}, if any. */
    public static OptionalInt next(final List<FallbackStep> steps, final int from, final Trigger trigger) {
        return next(steps, from, trigger, step -> true);
    }

    /**
     * The same, over only the steps the request allows: {@code allowed} takes a step's 1-based
     * number (its {@code policy.fallback}). A step left out is passed over as if not configured,
     * and the chain keeps its configured order.
     */
    public static OptionalInt next(final List<FallbackStep> steps, final int from, final Trigger trigger, final IntPredicate allowed) {
        for (int i = Math.max(0, from); i < steps.size(); i++) {
            if (allowed.test(i + 1) && matches(steps.get(i), trigger)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /** Whether any step answers {@code trigger}: whether the request should go to its chain rather than wait. */
    public static boolean handles(final List<FallbackStep> steps, final Trigger trigger) {
        return handles(steps, trigger, step -> true);
    }

    /** Whether any step the request allows (by 1-based number) answers {@code trigger}. */
    public static boolean handles(final List<FallbackStep> steps, final Trigger trigger, final IntPredicate allowed) {
        return next(steps, 0, trigger, allowed).isPresent();
    }
}
