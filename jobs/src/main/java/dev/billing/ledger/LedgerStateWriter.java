package dev.billing.ledger;

import dev.billing.model.RateCard;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.api.SavepointWriterOperatorFactory;
import org.apache.flink.state.api.output.SnapshotUtils;
import org.apache.flink.state.api.output.TaggedOperatorSubtaskState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes the ledger's state ({@link AccountLedger}'s, under its uid) into a savepoint with the State
 * Processor API: each {@link ConvertedAccount}'s four keyed states under the descriptors the ledger
 * reads, its timers on the ledger's own timer services, and, in every subtask, the rate cards in the
 * broadcast state (a restore at another parallelism gives each subtask one subtask's copy, so each
 * copy holds them all). A bootstrap task never fires a timer, so every timer written is in the savepoint.
 */
public final class LedgerStateWriter extends AbstractStreamOperator<TaggedOperatorSubtaskState>
        implements OneInputStreamOperator<ConvertedAccount, TaggedOperatorSubtaskState>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long checkpointId;
    private final long timestamp;
    private final Path savepointPath;
    private final List<RateCard> rateCards;

    private transient InternalTimerService<VoidNamespace> monthStarts;
    private transient InternalTimerService<VoidNamespace> flushes;

    private LedgerStateWriter(long checkpointId, long timestamp, Path savepointPath, List<RateCard> rateCards) {
        this.checkpointId = checkpointId;
        this.timestamp = timestamp;
        this.savepointPath = savepointPath;
        this.rateCards = List.copyOf(rateCards);
    }

    /** The writer of one savepoint, under checkpoint id {@code checkpointId}, with these rate cards. */
    public static SavepointWriterOperatorFactory factory(long checkpointId, List<RateCard> rateCards) {
        return (timestamp, path) -> SimpleOperatorFactory.of(new LedgerStateWriter(checkpointId, timestamp, path, rateCards));
    }

    @Override
    public void open() throws Exception {
        super.open();
        monthStarts = getInternalTimerService(AccountLedger.MONTH_START_TIMERS, VoidNamespaceSerializer.INSTANCE, NEVER);
        flushes = getInternalTimerService(AccountLedger.FLUSH_TIMERS, VoidNamespaceSerializer.INSTANCE, NEVER);
        BroadcastState<String, RateCard> cards = getOperatorStateBackend().getBroadcastState(AccountLedger.RATE_CARDS);
        for (RateCard card : rateCards) {
            cards.put(card.id(), card);
        }
    }

    @Override
    public void processElement(StreamRecord<ConvertedAccount> record) throws Exception {
        ConvertedAccount a = record.getValue(); // the runtime has made its account the current key
        state(AccountLedger.ACCOUNT).update(a.state);
        Map<String, Long> seen = new HashMap<>();
        for (String id : a.seenIds) {
            seen.put(id, a.seenAtMs);
        }
        put(state(AccountLedger.SEEN_IDS), seen);
        Map<String, UsageRollup> rollups = new HashMap<>();
        for (int i = 0; i < a.rollupKeys.length; i++) {
            rollups.put(a.rollupKeys[i], a.rollups[i]);
        }
        put(state(AccountLedger.HOURLY_ROLLUPS), rollups);
        Map<Integer, MonthSpend> months = new HashMap<>();
        for (int i = 0; i < a.pastMonths.length; i++) {
            months.put(a.pastMonths[i], a.pastMonthSpend[i]);
        }
        put(state(AccountLedger.PAST_MONTHS), months);
        if (a.state.bookkeeping().monthStartTimerMs() != 0) {
            monthStarts.registerProcessingTimeTimer(VoidNamespace.INSTANCE, a.state.bookkeeping().monthStartTimerMs());
        }
        if (a.flushAtMs != 0) {
            flushes.registerProcessingTimeTimer(VoidNamespace.INSTANCE, a.flushAtMs);
        }
    }

    private <S extends State, V> S state(StateDescriptor<S, V> descriptor) throws Exception {
        return getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    private static <K, V> void put(MapState<K, V> state, Map<K, V> entries) throws Exception {
        if (!entries.isEmpty()) {
            state.putAll(entries);
        }
    }

    @Override
    public void endInput() throws Exception {
        Configuration job = getContainingTask().getJobConfiguration();
        output.collect(new StreamRecord<>(SnapshotUtils.snapshot(checkpointId, this,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), timestamp,
                CheckpointingOptions.getCheckpointingMode(job), CheckpointingOptions.isUnalignedCheckpointEnabled(job),
                getContainingTask().getConfiguration().getConfiguration(), savepointPath)));
    }

    /** The timers are only written here; a bootstrap task's clock never fires them. */
    private static final Triggerable<Object, VoidNamespace> NEVER = new Triggerable<>() {
        @Override
        public void onEventTime(InternalTimer<Object, VoidNamespace> timer) {}

        @Override
        public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) {}
    };
}
