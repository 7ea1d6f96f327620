package dev.billing.job;

import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollectorSerializer;

/**
 * Operators that earlier releases had and this build does not, whose state a restore drops on
 * purpose, and why that loses nothing.
 *
 * <p>Release 0.1 wrote {@code usage_hourly} and {@code account_balance} with flink-connector-jdbc
 * 4.0.0-2.0's {@code JdbcSink} built with {@code buildAtLeastOnce}. Flink expands that sink into a
 * writer (uid {@code sink-usage-hourly}, {@code sink-account-balance}: this build's upsert sinks
 * keep those uids) and a committer, {@code Sink Committer: <uid>}, which this build's sinks do not
 * have. In at-least-once mode the connector's writer flushes its batch to PostgreSQL on every
 * checkpoint itself, snapshots no writer state and returns no committable from
 * {@code prepareCommit}; its committer throws ("Non XA sink with commitables") if ever handed one.
 * The committer's state is therefore only Flink's bookkeeping of checkpoints with zero committables:
 * nothing is waiting to be committed. Nothing else is lost either: the writer wrote its batch
 * before the checkpoint's barrier passed it (Flink flushes a sink writer before each snapshot), so
 * every row of the state a checkpoint holds was in PostgreSQL when it completed; the rows are whole
 * totals from the ledger's state, which the restore keeps, and this build's sinks (same uids)
 * rewrite each account's rows at its next flush.
 *
 * <p>That argument holds for release 0.1's code; {@link #whyDropped} also checks it on the state
 * being restored: a committer state that held any committable (an XA transaction, say) is refused.
 */
final class RetiredOperators {
    /** Flink's name of the committer's list state (CommitterOperator). */
    static final String COMMITTER_STATE = "streaming_committer_raw_states";

    private static final String RELEASE_0_1_JDBC = "the committer of release 0.1's at-least-once JDBC sink; it holds"
            + " no committable (checked), its writer wrote every row before the checkpoint completed, and this build's"
            + " upsert sink (same uid) rewrites the rows from the restored ledger state";

    private static final Map<String, String> RETIRED = Map.of(
            "Sink Committer: sink-usage-hourly", RELEASE_0_1_JDBC,
            "Sink Committer: sink-account-balance", RELEASE_0_1_JDBC);

    private RetiredOperators() {}

    /**
     * Why this build drops {@code state}, or null when it is not an operator this build retired.
     * Refuses the restore when a retired committer's state holds a committable after all.
     */
    static String whyDropped(OperatorState state) throws IOException {
        String why = RETIRED.get(RestoreMapping.uid(state));
        if (why == null) {
            return null;
        }
        long committables = committables(state);
        if (committables > 0) {
            throw new StateGuard.Refusal("Not restoring: the state of '" + RestoreMapping.uid(state) + "' holds "
                    + committables + " committable(s) waiting to be committed; dropping them could lose rows. Restore"
                    + " with the release that wrote it and let it commit them (a checkpoint completes), then stop it"
                    + " with a savepoint and upgrade from that.");
        }
        return why;
    }

    /**
     * How many committables a sink committer's state holds, read with Flink's own serializer of the
     * committer's state; the committables themselves are counted, never read.
     */
    static long committables(OperatorState state) throws IOException {
        long[] count = {0};
        SimpleVersionedSerializer<Object> counting = new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Object committable) {
                throw new UnsupportedOperationException("only reads");
            }

            @Override
            public Object deserialize(int version, byte[] serialized) {
                count[0]++;
                return serialized;
            }
        };
        for (Map.Entry<Integer, OperatorSubtaskState> subtask : state.getSubtaskStates().entrySet()) {
            OperatorSubtaskState s = subtask.getValue();
            if (!s.getRawOperatorState().isEmpty() || !s.getManagedKeyedState().isEmpty() || !s.getRawKeyedState().isEmpty()) {
                throw new StateGuard.Refusal("Not restoring: '" + RestoreMapping.uid(state) + "' holds state a sink"
                        + " committer does not write; it is not the operator this build retired.");
            }
            CommittableCollectorSerializer<Object> serializer = new CommittableCollectorSerializer<>(counting,
                    subtask.getKey(), state.getParallelism(),
                    InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup()));
            for (OperatorStateHandle handle : s.getManagedOperatorState()) {
                read(state, handle, serializer);
            }
        }
        return count[0];
    }

    private static void read(OperatorState state, OperatorStateHandle handle,
            CommittableCollectorSerializer<Object> serializer) throws IOException {
        try (FSDataInputStream in = handle.openInputStream()) {
            for (Map.Entry<String, OperatorStateHandle.StateMetaInfo> e : handle.getStateNameToPartitionOffsets().entrySet()) {
                if (!COMMITTER_STATE.equals(e.getKey())) {
                    throw new StateGuard.Refusal("Not restoring: '" + RestoreMapping.uid(state) + "' holds state '"
                            + e.getKey() + "', which a sink committer does not write.");
                }
                for (long offset : e.getValue().getOffsets()) {
                    in.seek(offset);
                    byte[] element = BytePrimitiveArraySerializer.INSTANCE.deserialize(new DataInputViewStreamWrapper(in));
                    SimpleVersionedSerialization.readVersionAndDeSerialize(serializer, element);
                }
            }
        }
    }
}
