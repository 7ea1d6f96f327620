package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.BlockReason;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code GET /v1/billing/balance}, from the two places the billing job publishes an
 * account: its newest {@code account-status} message (sub-second after a change) and its
 * {@code account_balance} row (flushed every second or so, with the slower fields: credits,
 * spend, limit, thresholds, free credits left). Both carry the account's version from one clock,
 * so status, reasons, balance and this month's spend come from whichever is newer; the rest
 * only the row has.
 */
final class BalanceView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BalanceView() {}

    /**
     * @param status the newest status the gateway holds, or null
     * @param row the balance row, or null
     * @param now to tell whether a month's spend is of the current UTC month
     * @return null when the job has published nothing about the account
     */
    static ObjectNode of(String accountId, AccountStatus status, BalanceRow row, Instant now) {
        if (status == null && row == null) {
            return null;
        }
        boolean statusNewer = row == null || (status != null && status.version() > row.version());
        String state;
        List<String> reasons;
        BigDecimal balance;
        BigDecimal monthSpend;
        Instant asOf;
        long version;
        if (statusNewer) {
            state = status.blocked() ? "BLOCKED" : "ACTIVE";
            reasons = status.reasons().stream().map(BlockReason::name).toList();
            balance = status.balanceUsd();
            asOf = status.asOf();
            // a status of an earlier month says nothing was spent this month since (the job would have published)
            monthSpend = status.monthSpendUsd() == null || asOf == null || !sameMonth(asOf, now)
                    ? BigDecimal.ZERO : status.monthSpendUsd();
            version = status.version();
        } else {
            state = row.status();
            reasons = reasons(row, status);
            balance = row.balanceUsd();
            monthSpend = row.monthSpendUsd();
            asOf = row.updatedAt();
            version = row.version();
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("account_id", accountId);
        json.put("status", state);
        ArrayNode r = json.putArray("reasons");
        reasons.forEach(r::add);
        json.put("credits_usd", row == null ? null : Usd.format(row.creditsUsd()));
        json.put("spend_usd", row == null ? null : Usd.format(row.spendUsd()));
        json.put("balance_usd", Usd.format(balance));
        json.put("month_spend_usd", Usd.format(monthSpend));
        json.put("monthly_hard_limit_usd", row == null ? null : Usd.format(row.monthlyHardLimitUsd()));
        ArrayNode thresholds = json.putArray("alert_thresholds_usd");
        if (row != null) {
            row.alertThresholdsUsd().forEach(t -> thresholds.add(Usd.format(t)));
        }
        json.put("free_credits_left_usd", row == null ? null : Usd.format(row.freeCreditsLeftUsd()));
        json.put("as_of", asOf == null ? null : asOf.toString());
        json.put("version", version);
        json.put("source", statusNewer ? "account-status" : "account_balance");
        json.put("row_as_of", row == null ? null : row.updatedAt().toString());
        return json;
    }

    /**
     * The reasons of a blocked row. The row has no reasons column, but it has what they follow
     * from (the job's rule: balance at or below zero, month spend at or above the limit); when
     * neither holds (a month turned since), those of the status message.
     */
    private static List<String> reasons(BalanceRow row, AccountStatus status) {
        if (!"BLOCKED".equals(row.status())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (row.balanceUsd().signum() <= 0) {
            out.add(BlockReason.BALANCE_EXHAUSTED.name());
        }
        if (row.monthlyHardLimitUsd() != null && row.monthSpendUsd().compareTo(row.monthlyHardLimitUsd()) >= 0) {
            out.add(BlockReason.MONTHLY_LIMIT.name());
        }
        if (out.isEmpty() && status != null && status.blocked()) {
            status.reasons().forEach(reason -> out.add(reason.name()));
        }
        if (out.isEmpty()) {
            out.add(BlockReason.UNRECOGNIZED.name());
        }
        return out;
    }

    private static boolean sameMonth(Instant a, Instant b) {
        return YearMonth.from(a.atZone(ZoneOffset.UTC)).equals(YearMonth.from(b.atZone(ZoneOffset.UTC)));
    }
}
