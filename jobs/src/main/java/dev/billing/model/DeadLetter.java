package dev.billing.model;

/** A rejected input, with its original bytes and where it came from. */
public class DeadLetter {
    public SourceRecord source;
    public RejectReason reason;
    public String detail;
    public long rejectedAtMs;

    public DeadLetter() {}

    public DeadLetter(SourceRecord source, RejectReason reason, String detail, long rejectedAtMs) {
        this.source = source;
        this.reason = reason;
        this.detail = detail;
        this.rejectedAtMs = rejectedAtMs;
    }

    @Override
    public String toString() {
        return reason + " " + source + ": " + detail;
    }
}
