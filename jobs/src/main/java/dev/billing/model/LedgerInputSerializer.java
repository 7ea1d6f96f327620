package dev.billing.model;

import dev.billing.serde.LedgerInputFormat;
import dev.billing.serde.VersionedSerializerSnapshot;

/**
 * Only a name kept for savepoints: release 0.1 (and the builds after it until serialization moved
 * to {@code dev.billing.serde}) recorded {@code LedgerInput}'s serializer snapshot as
 * {@code dev.billing.model.LedgerInputSerializer$Snapshot}, and Flink loads a snapshot by the class name
 * it recorded. The format itself is {@link LedgerInputFormat}; never rename or move this class.
 */
@Deprecated // for no new use: only savepoints of earlier builds name it
public final class LedgerInputSerializer {
    private LedgerInputSerializer() {}

    /** Reads those snapshots as {@link LedgerInputFormat}'s. */
    public static final class Snapshot extends VersionedSerializerSnapshot<LedgerInput> {
        public Snapshot() {
            super(LedgerInputFormat.INSTANCE);
        }
    }
}
