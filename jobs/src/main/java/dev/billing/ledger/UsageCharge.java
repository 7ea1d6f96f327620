package dev.billing.ledger;

import dev.billing.model.RateCard;
import dev.billing.model.UsageRecord;
import dev.billing.pricing.Pricing;
import dev.billing.pricing.VolumeDiscount;
import java.math.BigDecimal;

/**
 * Charging one usage record to its account: its list cost at the rate in force, the charge after
 * the month's volume-discount tier, every total it adds to checked against its column before
 * anything changes, then the charge added to the lifetime spend, the month's spend and the
 * record's (model, hour) rollup, together.
 */
final class UsageCharge {
    /** At list (or the account's override) prices. */
    final BigDecimal listUsd;
    /** What the account pays: {@link #listUsd} after the volume discount. */
    final BigDecimal chargedUsd;
    private final UsageRecord usage;

    private UsageCharge(BigDecimal listUsd, BigDecimal chargedUsd, UsageRecord usage) {
        this.listUsd = listUsd;
        this.chargedUsd = chargedUsd;
        this.usage = usage;
    }

    /** Prices {@code usage} at {@code rate} for an account that has spent {@code month} this month so far. */
    static UsageCharge price(RateCard rate, UsageRecord usage, MonthSpend month, AccountTerms terms) {
        BigDecimal list = Pricing.cost(rate, usage.promptTokens, usage.completionTokens);
        BigDecimal charged = VolumeDiscount.charged(month.listUsd, list, terms.discountAboveUsd(), terms.discountPercent());
        return new UsageCharge(list, charged, usage);
    }

    /** Every total the charge adds to, each against the column it is written to. */
    ColumnBounds.Check bounds(AccountMoney money, MonthSpend month, UsageRollup rollup) {
        return new ColumnBounds.Check()
                .plus("account_balance.spend_usd", money.spendUsd(), chargedUsd)
                .plus("account_balance.balance_usd", money.balanceUsd(), chargedUsd.negate())
                .plus("account_balance.month_spend_usd", month.chargedUsd, chargedUsd)
                .plus("the month's list spend", month.listUsd, listUsd)
                .plus("usage_hourly.cost_usd", rollup.costUsd, chargedUsd)
                .plus("usage_hourly.list_cost_usd", rollup.listCostUsd, listUsd)
                .plus("usage_hourly.requests", rollup.requests, 1)
                .plus("usage_hourly.prompt_tokens", rollup.promptTokens, usage.promptTokens)
                .plus("usage_hourly.completion_tokens", rollup.completionTokens, usage.completionTokens);
    }

    /** Moves the money: the lifetime spend, the spend of the record's month, its rollup. */
    void chargeTo(AccountMoney money, MonthSpend month, UsageRollup rollup) {
        money.charge(chargedUsd);
        month.add(listUsd, chargedUsd);
        rollup.add(usage.promptTokens, usage.completionTokens, chargedUsd, listUsd);
    }
}
