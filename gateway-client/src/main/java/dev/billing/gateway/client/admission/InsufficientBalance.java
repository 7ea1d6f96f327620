package dev.billing.gateway.client.admission;

import java.math.BigDecimal;

/**
 * The account's available balance does not cover the request's worst case: answer
 * {@code 402 Payment Required} with {@link dev.billing.gateway.client.PaymentRequiredBody#renderInsufficient}.
 */
public final class InsufficientBalance extends Exception {
    private static final long serialVersionUID = 1L;

    private final String accountId;
    private final BigDecimal worstCaseUsd;
    private final BigDecimal availableUsd;
    private final long promptTokens;
    private final long completionBound;

    InsufficientBalance(String accountId, BigDecimal worstCaseUsd, BigDecimal availableUsd, long promptTokens,
            long completionBound) {
        super("the available balance " + availableUsd.toPlainString() + " of " + accountId
                + " does not cover the request's worst case " + worstCaseUsd.toPlainString());
        this.accountId = accountId;
        this.worstCaseUsd = worstCaseUsd;
        this.availableUsd = availableUsd;
        this.promptTokens = promptTokens;
        this.completionBound = completionBound;
    }

    public String accountId() {
        return accountId;
    }

    public BigDecimal worstCaseUsd() {
        return worstCaseUsd;
    }

    /** The published balance less everything held; may be negative. */
    public BigDecimal availableUsd() {
        return availableUsd;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long completionBound() {
        return completionBound;
    }
}
