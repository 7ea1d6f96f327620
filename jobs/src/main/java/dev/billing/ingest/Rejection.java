package dev.billing.ingest;

import dev.billing.model.RejectReason;

/** Thrown by a parser for input that breaks the contract. Cheap: bad input carries no stack trace. */
public final class Rejection extends Exception {
    private final RejectReason reason;

    public Rejection(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
