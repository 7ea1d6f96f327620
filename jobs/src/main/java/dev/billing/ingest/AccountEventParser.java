package dev.billing.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.Money;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/** Parses and validates an {@code account-events} message (schemas/account-event.schema.json). */
public final class AccountEventParser implements RecordParser<AccountEvent> {
    private static final long serialVersionUID = 1L;

    private final BigDecimal minimumPurchaseUsd;

    public AccountEventParser(BigDecimal minimumPurchaseUsd) {
        this.minimumPurchaseUsd = minimumPurchaseUsd;
    }

    @Override
    public AccountEvent parse(SourceRecord source, long nowMs) throws Rejection {
        ObjectNode json = JsonFields.object(source.value);
        AccountEvent e = new AccountEvent();
        e.eventId = JsonFields.id(json, "event_id");
        e.accountId = JsonFields.id(json, "account_id");
        e.type = type(JsonFields.id(json, "type"));
        e.occurredAtMs = JsonFields.timestamp(json, "occurred_at");
        switch (e.type) {
            case CREDITS_PURCHASED:
                e.amountUsd = JsonFields.requiredUsd(json, "amount_usd");
                if (e.amountUsd.compareTo(minimumPurchaseUsd) < 0) {
                    throw new Rejection(RejectReason.PURCHASE_BELOW_MINIMUM, "amount_usd "
                            + Money.format(e.amountUsd) + " is below the minimum purchase of "
                            + Money.format(minimumPurchaseUsd));
                }
                break;
            case CREDITS_ADJUSTED:
                e.amountUsd = JsonFields.requiredUsd(json, "amount_usd");
                break;
            case LIMITS_SET:
                JsonNode limit = json.get("monthly_hard_limit_usd");
                e.monthlyHardLimitUsd = limit == null || limit.isNull()
                        ? null : nonNegative(JsonFields.usd(limit, "monthly_hard_limit_usd"), "monthly_hard_limit_usd");
                e.alertThresholdsUsd = thresholds(json.get("alert_thresholds_usd"));
                break;
            case VOLUME_DISCOUNTS_SET:
                discounts(json.get("volume_discounts"), e);
                break;
            case AUTO_TOPUP_SET:
                autoTopUp(json, e);
                break;
            case ACCOUNT_OPENED:
            default:
                break;
        }
        e.source = source;
        return e;
    }

    private static AccountEventType type(String name) throws Rejection {
        try {
            return AccountEventType.valueOf(name);
        } catch (IllegalArgumentException ex) {
            throw new Rejection(RejectReason.UNKNOWN_EVENT_TYPE, "unknown event type '"
                    + JsonFields.abbreviate(name) + "', expected one of " + Arrays.toString(AccountEventType.values()));
        }
    }

    private static BigDecimal[] thresholds(JsonNode node) throws Rejection {
        if (node == null || node.isNull()) {
            return new BigDecimal[0];
        }
        if (!node.isArray()) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'alert_thresholds_usd' must be an array of decimal strings");
        }
        BigDecimal[] out = new BigDecimal[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(JsonFields.usd(node.get(i), "alert_thresholds_usd"), "alert_thresholds_usd");
        }
        Arrays.sort(out);
        // one threshold per amount ("50" and "50.00" are one alert); the sort is stable: the first spelling stays
        List<BigDecimal> distinct = new ArrayList<>(out.length);
        for (BigDecimal t : out) {
            if (distinct.isEmpty() || t.compareTo(distinct.get(distinct.size() - 1)) != 0) {
                distinct.add(t);
            }
        }
        return distinct.toArray(new BigDecimal[0]);
    }

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    /** [{"monthly_spend_above_usd": "100.00", "discount_percent": "10"}, ...]; empty or absent clears. */
    private static void discounts(JsonNode node, AccountEvent e) throws Rejection {
        if (node != null && !node.isNull() && !node.isArray()) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'volume_discounts' must be an array of tiers");
        }
        int n = node == null || node.isNull() ? 0 : node.size();
        TreeMap<BigDecimal, BigDecimal> tiers = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            JsonNode tier = node.get(i);
            if (!tier.isObject()) {
                throw new Rejection(RejectReason.INVALID_FIELD, "each volume discount tier must be an object");
            }
            BigDecimal above = nonNegative(JsonFields.requiredUsd(tier, "monthly_spend_above_usd"), "monthly_spend_above_usd");
            BigDecimal percent = nonNegative(JsonFields.requiredUsd(tier, "discount_percent"), "discount_percent");
            if (percent.compareTo(HUNDRED) > 0 || percent.stripTrailingZeros().scale() > 2) {
                throw new Rejection(RejectReason.INVALID_AMOUNT,
                        "'discount_percent' must be between 0 and 100 with at most two decimals");
            }
            if (tiers.put(above, percent) != null) {
                throw new Rejection(RejectReason.INVALID_FIELD, "two volume discount tiers start at " + above.toPlainString());
            }
        }
        e.discountAboveUsd = tiers.keySet().toArray(new BigDecimal[0]);
        e.discountPercent = tiers.values().toArray(new BigDecimal[0]);
    }

    /** {"below_usd": "2.00", "amount_usd": "10.00"}; both null (or absent) switches auto top-up off. */
    private void autoTopUp(JsonNode json, AccountEvent e) throws Rejection {
        JsonNode below = json.get("below_usd");
        JsonNode amount = json.get("amount_usd");
        boolean noBelow = below == null || below.isNull();
        boolean noAmount = amount == null || amount.isNull();
        if (noBelow && noAmount) {
            return;
        }
        if (noBelow || noAmount) {
            throw new Rejection(RejectReason.MISSING_FIELD, "AUTO_TOPUP_SET has '" + (noBelow ? "amount_usd" : "below_usd")
                    + "' but no '" + (noBelow ? "below_usd" : "amount_usd") + "': give both to switch auto top-up on,"
                    + " or both null to switch it off");
        }
        e.belowUsd = nonNegative(JsonFields.usd(below, "below_usd"), "below_usd");
        e.amountUsd = JsonFields.usd(amount, "amount_usd");
        if (e.amountUsd.compareTo(minimumPurchaseUsd) < 0) {
            throw new Rejection(RejectReason.PURCHASE_BELOW_MINIMUM, "AUTO_TOPUP_SET amount_usd "
                    + Money.format(e.amountUsd) + " is below the minimum purchase of " + Money.format(minimumPurchaseUsd)
                    + ": each top-up is a purchase; set amount_usd to at least " + Money.format(minimumPurchaseUsd));
        }
    }

    private static BigDecimal nonNegative(BigDecimal value, String field) throws Rejection {
        if (value.signum() < 0) {
            throw new Rejection(RejectReason.INVALID_AMOUNT, "'" + field + "' must not be negative");
        }
        return value;
    }
}
