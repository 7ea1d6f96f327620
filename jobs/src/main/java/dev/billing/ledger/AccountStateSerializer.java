package dev.billing.ledger;

import dev.billing.serde.AccountStateFormat;
import dev.billing.serde.VersionedSerializerSnapshot;

/**
 * Only a name kept for savepoints: release 0.1 (and the builds after it until serialization moved
 * to {@code dev.billing.serde}) recorded {@code AccountState}'s serializer snapshot as
 * {@code dev.billing.ledger.AccountStateSerializer$Snapshot}, and Flink loads a snapshot by the class name
 * it recorded. The format itself is {@link AccountStateFormat}; never rename or move this class.
 */
@Deprecated // for no new use: only savepoints of earlier builds name it
public final class AccountStateSerializer {
    private AccountStateSerializer() {}

    /** Reads those snapshots as {@link AccountStateFormat}'s. */
    public static final class Snapshot extends VersionedSerializerSnapshot<AccountState> {
        public Snapshot() {
            super(AccountStateFormat.INSTANCE);
        }
    }
}
