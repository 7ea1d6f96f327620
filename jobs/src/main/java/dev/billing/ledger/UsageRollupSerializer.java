package dev.billing.ledger;

import dev.billing.serde.UsageRollupFormat;
import dev.billing.serde.VersionedSerializerSnapshot;

/**
 * Only a name kept for savepoints: release 0.1 (and the builds after it until serialization moved
 * to {@code dev.billing.serde}) recorded {@code UsageRollup}'s serializer snapshot as
 * {@code dev.billing.ledger.UsageRollupSerializer$Snapshot}, and Flink loads a snapshot by the class name
 * it recorded. The format itself is {@link UsageRollupFormat}; never rename or move this class.
 */
@Deprecated // for no new use: only savepoints of earlier builds name it
public final class UsageRollupSerializer {
    private UsageRollupSerializer() {}

    /** Reads those snapshots as {@link UsageRollupFormat}'s. */
    public static final class Snapshot extends VersionedSerializerSnapshot<UsageRollup> {
        public Snapshot() {
            super(UsageRollupFormat.INSTANCE);
        }
    }
}
