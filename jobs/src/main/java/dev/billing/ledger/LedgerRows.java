package dev.billing.ledger;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BlockReason;
import dev.billing.model.UtcMonths;
import java.math.BigDecimal;

/** An account's state as the messages and rows it leaves the ledger as. */
final class LedgerRows {
    private LedgerRows() {}

    static AccountStatus statusOf(String accountId, AccountState state, long now) {
        AccountStatus s = new AccountStatus();
        s.accountId = accountId;
        int blockMask = state.bookkeeping().blockMask();
        s.status = blockMask == 0 ? AccountStatus.ACTIVE : AccountStatus.BLOCKED;
        BlockReason first = BlockReason.first(blockMask);
        s.reason = first == null ? null : first.name();
        s.reasons = BlockReason.names(blockMask);
        s.balanceUsd = state.balanceUsd();
        s.monthSpendUsd = state.money().month().chargedUsd;
        s.version = state.bookkeeping().version();
        s.asOfMs = now;
        s.usagePartition = state.bookkeeping().usagePartition();
        s.usageOffset = state.bookkeeping().usageOffset();
        return s;
    }

    static UsageHourlyRow rowOf(String accountId, UsageRollup rollup, long version) {
        // a copy: the ledger goes on adding to its rollup after the row has left
        return new UsageHourlyRow(accountId, rollup.copy(), version);
    }

    /**
     * The balance row. Free credits are spent first (the pricing page: enough "before you need to
     * add funds"), so what is left of them is the grant less the lifetime spend, never below zero.
     *
     * @param freeCreditsUsd the free credits the job grants a new account
     */
    static AccountBalanceRow balanceOf(String accountId, AccountState state, BigDecimal freeCreditsUsd, long now,
            long version) {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = accountId;
        AccountMoney money = state.money();
        BigDecimal[] thresholds = state.terms().alertThresholdsUsd();
        row.creditsUsd = money.creditsUsd();
        row.spendUsd = money.spendUsd();
        row.balanceUsd = money.balanceUsd();
        row.status = state.bookkeeping().blockMask() == 0 ? AccountStatus.ACTIVE : AccountStatus.BLOCKED;
        row.monthSpendUsd = money.month().chargedUsd;
        row.spendMonthStartMs = UtcMonths.startMs(money.currentMonth());
        row.monthlyHardLimitUsd = state.terms().monthlyHardLimitUsd();
        row.alertThresholdsUsd = thresholds == null ? new BigDecimal[0] : thresholds.clone();
        row.freeCreditsLeftUsd = freeCreditsUsd.subtract(money.spendUsd()).max(BigDecimal.ZERO);
        row.updatedAtMs = now;
        row.version = version;
        return row;
    }
}
