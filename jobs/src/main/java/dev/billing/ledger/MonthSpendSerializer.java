package dev.billing.ledger;

import dev.billing.serde.MonthSpendFormat;
import dev.billing.serde.VersionedSerializerSnapshot;

/**
 * Only a name kept for savepoints: release 0.1 (and the builds after it until serialization moved
 * to {@code dev.billing.serde}) recorded {@code MonthSpend}'s serializer snapshot as
 * {@code dev.billing.ledger.MonthSpendSerializer$Snapshot}, and Flink loads a snapshot by the class name
 * it recorded. The format itself is {@link MonthSpendFormat}; never rename or move this class.
 */
@Deprecated // for no new use: only savepoints of earlier builds name it
public final class MonthSpendSerializer {
    private MonthSpendSerializer() {}

    /** Reads those snapshots as {@link MonthSpendFormat}'s. */
    public static final class Snapshot extends VersionedSerializerSnapshot<MonthSpend> {
        public Snapshot() {
            super(MonthSpendFormat.INSTANCE);
        }
    }
}
