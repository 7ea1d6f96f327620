package dev.billing.model;

import dev.billing.serde.LedgerInputFormat;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the per-account ledger consumes: a usage record or an account event, one of the two set.
 * Both arrive on one keyed stream so that a single keyBy serves every per-account concern.
 */
@TypeInfo(LedgerInputFormat.TypeInfoFactory.class)
public class LedgerInput {
    public UsageRecord usage;
    public AccountEvent event;

    public LedgerInput() {}

    public static LedgerInput of(UsageRecord usage) {
        LedgerInput in = new LedgerInput();
        in.usage = usage;
        return in;
    }

    public static LedgerInput of(AccountEvent event) {
        LedgerInput in = new LedgerInput();
        in.event = event;
        return in;
    }

    public String accountId() {
        return usage != null ? usage.accountId : event.accountId;
    }
}
