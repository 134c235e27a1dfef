package dev.rebound.request;

/** Why a request was dead-lettered (DESIGN §4). */
public enum DeadLetterReason {
    /** The record was not a valid request: unparseable, wrong types, missing fields, too large, deadline past. */
    INVALID_REQUEST,
    /** The request named a target that is not in the allow-list, or a group that cannot be called. */
    UNKNOWN_TARGET,
    /** The call failed in a way that retrying cannot fix (authentication, validation, ...). */
    NON_RETRYABLE,
    /** Every allowed attempt failed with a retryable error. */
    RETRIES_EXHAUSTED,
    /** The deadline passed, or would have before the next attempt could run. */
    DEADLINE_EXCEEDED,
    /** The target's retry budget had no room for another retry. */
    RETRY_BUDGET_EXHAUSTED,
    /** The target's circuit stayed open until the deadline. */
    CIRCUIT_OPEN,
    /** Every fallback step failed. */
    FALLBACK_FAILED,
    /**
     * Rebound itself failed while handling the request (a bug). Not in DESIGN's list: it exists so
     * that even a bug loses nothing; the record names the exception.
     */
    PROCESSING_ERROR
}
