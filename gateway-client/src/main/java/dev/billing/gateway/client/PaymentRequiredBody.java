package dev.billing.gateway.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.admission.InsufficientBalance;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * The body of the {@code 402 Payment Required} answer to a blocked account, in the error shape of
 * OpenAI-style APIs ({@code {"error": {"message", "type", "param", "code"}}}) with what the
 * pricing page promises: when the balance reaches zero, add credits to resume at once; when the
 * monthly hard limit is reached, raise it (or wait for the next month). The body also names the
 * reasons and the figures of the status that blocked the account, so a client can act on them.
 */
public final class PaymentRequiredBody {
    public static final String DEFAULT_DASHBOARD_URL = "https://app.dos.ai";
    public static final String TYPE = "payment_required";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String dashboardUrl;

    public PaymentRequiredBody(String dashboardUrl) {
        this.dashboardUrl = dashboardUrl;
    }

    public PaymentRequiredBody() {
        this(DEFAULT_DASHBOARD_URL);
    }

    /** The UTF-8 JSON body for a blocked status. */
    public byte[] render(AccountStatus status) {
        if (!status.blocked()) {
            throw new IllegalArgumentException("account " + status.accountId() + " is not blocked");
        }
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message(status.reasons()));
        error.put("type", TYPE);
        error.putNull("param");
        error.put("code", status.reasons().get(0).name().toLowerCase(Locale.ROOT));
        status.reasons().forEach(r -> error.withArray("reasons").add(r.name()));
        error.put("account_id", status.accountId());
        if (status.balanceUsd() != null) {
            error.put("balance_usd", status.balanceUsd().toPlainString());
        }
        if (status.monthSpendUsd() != null) {
            error.put("month_spend_usd", status.monthSpendUsd().toPlainString());
        }
        return write(error);
    }

    /** A decimal string with at least two decimals and no trailing zeros beyond them ("0.01", "0.0255"). */
    static String usd(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.setScale(Math.max(2, stripped.scale())).toPlainString();
    }

    private static byte[] write(ObjectNode error) {
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The UTF-8 JSON body for a request whose worst case the available balance does not cover: the
     * account may still be served a smaller request.
     */
    public byte[] renderInsufficient(InsufficientBalance refused) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", "Payment Required: this request could cost up to $" + usd(refused.worstCaseUsd())
                + " (" + refused.promptTokens() + " prompt tokens and up to " + refused.completionBound()
                + " completion tokens), more than your available balance of $" + usd(refused.availableUsd())
                + " (your balance less the requests in progress). Add credits at " + dashboardUrl
                + " to resume immediately, or set a smaller max_tokens. No data is lost.");
        error.put("type", TYPE);
        error.put("param", "max_tokens");
        error.put("code", "insufficient_balance");
        error.put("account_id", refused.accountId());
        error.put("worst_case_usd", usd(refused.worstCaseUsd()));
        error.put("available_usd", usd(refused.availableUsd()));
        return write(error);
    }

    /** What the user reads: what happened and what to do about it. */
    String message(List<BlockReason> reasons) {
        boolean balance = reasons.contains(BlockReason.BALANCE_EXHAUSTED);
        boolean limit = reasons.contains(BlockReason.MONTHLY_LIMIT);
        String settings = dashboardUrl + "/settings";
        if (balance && limit) {
            return "Payment Required: your credit balance has reached zero and your monthly spending limit has been"
                    + " reached. Add credits at " + dashboardUrl + " and raise the monthly limit in the dashboard"
                    + " settings (" + settings + ") to resume. No data is lost.";
        }
        if (balance) {
            return "Payment Required: your credit balance has reached zero. Add credits at " + dashboardUrl
                    + " to resume immediately. No data is lost.";
        }
        if (limit) {
            return "Payment Required: your monthly spending limit has been reached. Raise the monthly limit in the"
                    + " dashboard settings (" + settings + ") to resume immediately, or wait until the next calendar"
                    + " month (UTC). No data is lost.";
        }
        return "Payment Required: your account is blocked for billing. Add credits or raise the monthly limit at "
                + dashboardUrl + " to resume. No data is lost.";
    }
}
