package dev.billing.model;

/** Why an input went to the dead-letter topic. The names are part of the contract. */
public enum RejectReason {
    /** Not JSON, not a JSON object, or an empty message. */
    UNPARSEABLE_JSON,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong type or format (a number for a decimal string, a bad timestamp, ...). */
    INVALID_FIELD,
    /** A token count below zero. */
    NEGATIVE_TOKENS,
    /** {@code total_tokens} differs from {@code prompt_tokens + completion_tokens}. */
    TOKEN_COUNT_MISMATCH,
    /** No list price (or override) for the model at {@code completed_at}. */
    UNKNOWN_MODEL,
    /** An account event whose type is not one of {@link AccountEventType}. */
    UNKNOWN_EVENT_TYPE,
    /** A credit purchase under the minimum purchase ($5.00 by default). */
    PURCHASE_BELOW_MINIMUM,
    /** An amount or rate that is not allowed (more than six decimals, negative price, ...). */
    INVALID_AMOUNT,
    /** {@code completed_at} further in the future than the allowed clock skew. */
    FUTURE_TIMESTAMP,
    /** Older than the late-record horizon: its hourly rollup is final and no longer in state. */
    TOO_LATE
}
