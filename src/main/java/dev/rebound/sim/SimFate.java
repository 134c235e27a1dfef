package dev.rebound.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What happens to one call of the simulated endpoint: an answer with a status, no answer at all,
 * or a {@link Misbehaviour}. Chosen by the request's own {@code simulate} script when it has one,
 * else drawn from the {@link SimScenario}.
 */
enum SimFate {
    SUCCESS(200), RESET(0), HANG(0), S400(400), S401(401), S429(429), S500(500), S502(502), S503(503), S504(504), S529(529),
    STALL_BODY(Misbehaviour.STALL_BODY), HEADERS_NEVER(Misbehaviour.HEADERS_NEVER), OVERSIZED(Misbehaviour.OVERSIZED),
    OVERSIZED_ESCAPED(Misbehaviour.OVERSIZED_ESCAPED), INVALID_JSON(Misbehaviour.INVALID_JSON),
    RESET_MID_BODY(Misbehaviour.RESET_MID_BODY);

    private final int status;
    private final Optional<Misbehaviour> misbehaviour;

    SimFate(final int status) {
        this.status = status;
        this.misbehaviour = Optional.empty();
    }

    SimFate(final Misbehaviour misbehaviour) {
        this.status = 200;
        this.misbehaviour = Optional.of(misbehaviour);
    }

    /** The HTTP status answered (0 when nothing is). */
    int status() {
        return status;
    }

    /** The protocol-breaking answer, for the fates that are one. */
    Optional<Misbehaviour> misbehaviour() {
        return misbehaviour;
    }

    static SimFate of(final Misbehaviour m) {
        return valueOf(m.name());
    }

    /** The fate answering {@code status}; an unknown status is answered 503. */
    static SimFate of(final int status) {
        for (final SimFate f : values()) {
            if (f.status == status) {
                return f;
            }
        }
        return S503;
    }

    /** The fate a request's {@code simulate} script asks for on this attempt. */
    static SimFate scripted(final JsonNode script, final int attempt) {
        if (attempt > script.path("failTimes").asInt(Integer.MAX_VALUE)) {
            return SUCCESS;
        }
        if (script.path("reset").asBoolean(false)) {
            return RESET;
        }
        if (script.path("hang").asBoolean(false)) {
            return HANG;
        }
        for (final Misbehaviour m : Misbehaviour.values()) {
            if (script.path(m.scriptName()).asBoolean(false)) {
                return of(m);
            }
        }
        final int status = script.path("status").asInt(200);
        return status != 200 ? of(status) : SUCCESS;
    }

    /** A fate drawn with the scenario's shares, in the order its Javadoc lists them; 503 throughout an outage. */
    static SimFate drawn(final SimScenario scenario, final boolean inOutage, final SplittableRandom random) {
        if (inOutage) {
            return S503;
        }
        double draw = random.nextDouble();
        if ((draw -= scenario.serverError()) < 0) {
            return S503;
        } else if ((draw -= scenario.rateLimited()) < 0) {
            return S429;
        } else if ((draw -= scenario.overloaded()) < 0) {
            return S529;
        } else if ((draw -= scenario.timeout()) < 0) {
            return HANG;
        } else if ((draw -= scenario.reset()) < 0) {
            return RESET;
        } else if ((draw -= scenario.invalid()) < 0) {
            return S400;
        }
        for (final Misbehaviour m : Misbehaviour.values()) {
            if ((draw -= scenario.share(m)) < 0) {
                return of(m);
            }
        }
        return SUCCESS;
    }
}
