package dev.billing.job;

import java.io.IOException;
import java.util.Optional;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

/**
 * Tells ledger state this build reads only by converting it (release 0.1's, see {@code
 * dev.billing.convert.Release01Conversion}) from the state it reads as it is, before anything is
 * submitted.
 *
 * <p>Release 0.1 (tag {@code release-0.1}, commit ebd4a31) and the builds before it kept
 * {@code AccountState} in a layout older than this build's numbered formats (no version run or
 * version clock, a flush and a rollover timer, no oldest remembered id), under the same snapshot that
 * the builds after it wrote for format 1, so the snapshot cannot tell them apart; read as format 1
 * its bytes are garbage. The same change replaced the ledger's {@code seen-ids} values (booleans
 * with Flink's processing-time TTL) with the event time each id was seen, for the billing window.
 * That value type is in the restore point's metadata, and tells the two eras apart.
 */
final class LedgerStateEra {
    static final String LEDGER_UID = "account-ledger";
    static final String SEEN_IDS = "seen-ids";

    private LedgerStateEra() {}

    /** What makes the restore point's ledger state unreadable here without a conversion, if anything. */
    static Optional<String> unreadable(CheckpointMetadata metadata) throws IOException {
        for (OperatorState state : metadata.getOperatorStates()) {
            if (LEDGER_UID.equals(RestoreMapping.uid(state))) {
                for (OperatorSubtaskState subtask : state.getStates()) {
                    for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                        Optional<String> found = seenIdsValues(handle).filter(v -> !(v instanceof LongSerializer))
                                .map(v -> "its '" + SEEN_IDS + "' holds " + describe(v)
                                        + " where this build keeps the time each id was seen");
                        if (found.isPresent()) {
                            return found;
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String describe(TypeSerializer<?> values) {
        String name = values.getClass().getSimpleName();
        // release 0.1's booleans sit inside Flink's TTL wrapper
        return name.startsWith("Ttl") ? "values under a state TTL" : name + " values";
    }

    /** The serializer of the seen-ids map's values as the state's own metadata records it. */
    private static Optional<TypeSerializer<?>> seenIdsValues(KeyedStateHandle handle) throws IOException {
        StreamStateHandle meta = handle instanceof IncrementalKeyedStateHandle incremental
                ? incremental.getMetaDataStateHandle()
                : handle instanceof KeyGroupsStateHandle full ? full.getDelegateStateHandle() : null;
        if (meta == null) {
            return Optional.empty();
        }
        // the backend's state descriptions come first in its metadata or full-snapshot stream
        KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(LedgerStateEra.class.getClassLoader());
        try (FSDataInputStream in = meta.openInputStream()) {
            proxy.read(new DataInputViewStreamWrapper(in));
        }
        for (StateMetaInfoSnapshot s : proxy.getStateMetaInfoSnapshots()) {
            if (SEEN_IDS.equals(s.getName())) {
                TypeSerializer<?> map = s.getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER)
                        .restoreSerializer();
                return Optional.of(map instanceof MapSerializer<?, ?> m ? m.getValueSerializer() : map);
            }
        }
        return Optional.empty();
    }
}
