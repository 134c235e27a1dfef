package dev.rebound.lifecycle;

import dev.rebound.circuit.Admission;
import dev.rebound.request.AgentRequest;
import dev.rebound.request.Source;
import dev.rebound.retry.TargetRetryState;

import java.time.Instant;
import java.util.Objects;

/**
 * What can happen to a request that has no terminal record yet: the inputs of
 * {@link Lifecycle#next}. Each is a fact the processor observed; none carries a decision.
 */
public sealed interface Event {

    /** A valid request read from {@code agent-calls} for the first time (not a duplicate). */
    record Arrived(String key, AgentRequest request, Source source) implements Event {
        public Arrived {
            Objects.requireNonNull(request, "request");
        }
    }

    /** The in-flight entry was restored after a restart or a rebalance; its call, if it had one, is gone. */
    record Resumed() implements Event {
    }

    /**
     * A timer of the delay path came due: set for {@code attempt} at {@code due}. Only the timer of
     * the entry's current wait fires it: a parked or deferred entry keeps its attempt number, so an
     * older timer of the same attempt (re-set by a late delay-tier record) must not fire it early.
     */
    record TimerDue(int attempt, Instant due) implements Event {
        public TimerDue {
            Objects.requireNonNull(due, "due");
        }
    }

    /** The call the last {@link Step.Call} asked for was not admitted (circuit, operator switch, ramp). */
    record NotAdmitted(Admission.Defer defer) implements Event {
        public NotAdmitted {
            Objects.requireNonNull(defer, "defer");
        }
    }

    /**
     * The call was admitted by the circuits but cannot start now: its target has no room here (slots
     * and waiting line full), or its rate limit has no quota for it yet. {@code what} names what it
     * waits for, for its dead letter if its deadline comes first.
     */
    record Busy(String what) implements Event {
        public Busy {
            Objects.requireNonNull(what, "what");
        }
    }

    /**
     * An attempt ended.
     *
     * @param target  the target that was called
     * @param attempt the attempt number the call carried
     * @param outcome how it ended
     * @param state   the target's retry state with this outcome counted (budget, adaptive limit)
     */
    record CallFinished(String target, int attempt, CallOutcome outcome, TargetRetryState state) implements Event {
        public CallFinished {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(state, "state");
        }
    }

    /** Handling this request threw ({@code what} names the exception): a bug, which must cost only this request. */
    record Crashed(String what) implements Event {
    }
}
