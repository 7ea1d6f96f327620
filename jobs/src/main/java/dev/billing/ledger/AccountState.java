package dev.billing.ledger;

import dev.billing.model.BlockReason;
import dev.billing.serde.AccountStateFormat;
import java.math.BigDecimal;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One account in keyed state, in four parts a reader can take one at a time: its {@link #money},
 * the {@link #terms} its customer set, the {@link #sent} alerts and payment requests, and the
 * ledger's {@link #bookkeeping} (billing window, status, versions, timer, expiry); plus the
 * {@link #openRollups} waiting for the flush. Written by {@link AccountStateFormat}: no Kryo,
 * no reflection.
 */
@TypeInfo(AccountStateFormat.TypeInfoFactory.class)
public final class AccountState {
    private final AccountMoney money;
    private final AccountTerms terms;
    private final SentSignals sent;
    private final Bookkeeping bookkeeping;
    private final OpenRollups openRollups;

    /** Every part empty: for Flink's {@code createInstance}; the ledger starts accounts with {@link #opened}. */
    public AccountState() {
        this(new AccountMoney(), new AccountTerms(), new SentSignals(), new Bookkeeping(), new OpenRollups());
    }

    public AccountState(AccountMoney money, AccountTerms terms, SentSignals sent, Bookkeeping bookkeeping,
            OpenRollups openRollups) {
        this.money = money;
        this.terms = terms;
        this.sent = sent;
        this.bookkeeping = bookkeeping;
        this.openRollups = openRollups;
    }

    public AccountMoney money() {
        return money;
    }

    public AccountTerms terms() {
        return terms;
    }

    public SentSignals sent() {
        return sent;
    }

    public Bookkeeping bookkeeping() {
        return bookkeeping;
    }

    public OpenRollups openRollups() {
        return openRollups;
    }

    static AccountState opened(BigDecimal freeCreditsUsd, int month) {
        return new AccountState(AccountMoney.opened(freeCreditsUsd, month), AccountTerms.none(), new SentSignals(),
                Bookkeeping.fresh(), new OpenRollups());
    }

    BigDecimal balanceUsd() {
        return money.balanceUsd();
    }

    /** A purchase: credits, and a low-balance alert may go out again. */
    void topUp(BigDecimal amountUsd) {
        money.topUp(amountUsd);
        sent.lowBalanceAlerted(false);
    }

    /** The reasons to block that hold now. */
    int evaluateBlockMask() {
        int mask = 0;
        if (money.balanceUsd().signum() <= 0) {
            mask |= BlockReason.BALANCE_EXHAUSTED.bit();
        }
        BigDecimal limit = terms.monthlyHardLimitUsd();
        if (limit != null && money.month().chargedUsd.compareTo(limit) >= 0) {
            mask |= BlockReason.MONTHLY_LIMIT.bit();
        }
        return mask;
    }
}
