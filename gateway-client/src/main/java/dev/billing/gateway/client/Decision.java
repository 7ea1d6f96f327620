package dev.billing.gateway.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answer to {@link CutoffCheck#check}: serve the request, or refuse it with its reasons and a
 * ready-made error body. Decisions are built when a status arrives, not when a request asks, so
 * a check allocates nothing.
 */
public final class Decision {
    /** The account has no status on the topic yet: a new account, which starts with free credits. */
    public static final Decision UNKNOWN_ACCOUNT = new Decision(true, List.of(), null, null);

    /** A fail-closed client whose copy of the topic is too stale to trust; answer 503, not 402. */
    public static final Decision STATUS_UNAVAILABLE = new Decision(false, List.of(BlockReason.STATUS_UNAVAILABLE),
            null, ("{\"error\":{\"message\":\"Billing status is temporarily unavailable; please retry shortly.\","
                    + "\"type\":\"service_unavailable\",\"param\":null,\"code\":\"billing_status_unavailable\"}}")
                    .getBytes(StandardCharsets.UTF_8));

    private final boolean allowed;
    private final List<BlockReason> reasons;
    private final AccountStatus status;
    private final byte[] errorBody;

    private Decision(boolean allowed, List<BlockReason> reasons, AccountStatus status, byte[] errorBody) {
        this.allowed = allowed;
        this.reasons = reasons;
        this.status = status;
        this.errorBody = errorBody;
    }

    /** The decision a status calls for, with its 402 body rendered now when it blocks. */
    public static Decision of(AccountStatus status, PaymentRequiredBody body) {
        return status.blocked()
                ? new Decision(false, status.reasons(), status, body.render(status))
                : new Decision(true, List.of(), status, null);
    }

    public boolean allowed() {
        return allowed;
    }

    /** Blocked by the billing job (balance or monthly limit): answer {@code 402 Payment Required}. */
    public boolean paymentRequired() {
        return !allowed && reasons.get(0).paymentRequired();
    }

    /** Why the request is refused; empty when allowed. */
    public List<BlockReason> reasons() {
        return reasons;
    }

    /** The status this decision follows, or null for an unknown account or an unavailable status. */
    public AccountStatus status() {
        return status;
    }

    /** 200 when allowed, 402 when the job blocked the account, 503 when the status is unavailable. */
    public int httpStatus() {
        return allowed ? 200 : paymentRequired() ? 402 : 503;
    }

    /** The UTF-8 JSON error body to answer with; null when allowed. A copy: callers may keep it. */
    public byte[] errorBody() {
        return errorBody == null ? null : errorBody.clone();
    }

    @Override
    public String toString() {
        return allowed ? "allowed" + (status == null ? " (unknown account)" : " v" + status.version())
                : "blocked " + reasons + (status == null ? "" : " v" + status.version());
    }
}
