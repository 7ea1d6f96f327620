package dev.billing.job;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import dev.billing.convert.Release01Conversion;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;

/**
 * What a restore does with state that this build's graph has no operator for, decided before the
 * job is submitted. Flink's own choice is all or nothing: refuse the restore, or with
 * {@code allowNonRestoredState} skip every operator it cannot map, whatever that state holds. Here
 * each such operator must be accounted for: retired by this build ({@link RetiredOperators}, which
 * checks that its state holds nothing to finish) or named by the operator with
 * {@code --allow-non-restored-state-of}. Only then is {@code allowNonRestoredState} set, and it
 * then skips exactly the operators listed; anything else refuses the start before a record is read.
 * Flink's own {@code flink run --allowNonRestoredState} does not bypass it: the check runs all the same.
 *
 * <p>A restore point of release 0.1 is first converted into a savepoint next to it (see {@link
 * LedgerStateEra}, {@code Release01Conversion}), which is then restored and checked instead.
 */
public final class RestoreMapping {
    private RestoreMapping() {}

    /**
     * Decides before {@code env} is executed. Without a checkpoint or savepoint to restore nothing
     * changes; with one, the restore point's operators with state that the job's graph lacks are
     * each logged as dropped (retired by this build, or {@code named}), and only then is Flink's
     * {@code allowNonRestoredState} set on {@code env}; any other refuses the start.
     */
    public static void apply(StreamExecutionEnvironment env, Collection<String> named, Consumer<String> log)
            throws IOException {
        SavepointRestoreSettings restore = SavepointRestoreSettings.fromConfiguration(env.getConfiguration());
        if (!restore.restoreSavepoint()) {
            return;
        }
        CheckpointMetadata metadata = load(restore.getRestorePath());
        String converted = Release01Conversion.nextTo(restore.getRestorePath(), java.time.Instant.now());
        try {
            if (convertIfRelease01(restore.getRestorePath(), metadata, converted, log)) {
                // the converted savepoint is restored, and checked below, instead
                log.accept("Restoring the converted savepoint " + converted);
                Configuration restoreConverted = new Configuration();
                restoreConverted.set(StateRecoveryOptions.SAVEPOINT_PATH, converted);
                env.configure(restoreConverted);
                restore = SavepointRestoreSettings.fromConfiguration(env.getConfiguration());
                metadata = load(converted);
            }
        } catch (Exception e) {
            throw new StateGuard.Refusal("Not restoring " + restore.getRestorePath() + ": converting its ledger"
                    + " state, written by release 0.1 (ebd4a31) or an earlier build, to " + converted + " failed ("
                    + e + "). Nothing was started. Keep running that release, or move to this build by rebuilding"
                    + " the state from the topics: a new --checkpoint-dir and --rebuild-state-from-earliest (the"
                    + " topics' retention must reach back to their first record).");
        }
        // the graph as it will be submitted; false keeps the transformations for execute()
        List<OperatorState> unclaimed = unclaimed(metadata, operatorIds(env.getStreamGraph(false)));
        Set<String> namesLeft = new HashSet<>(named);
        List<String> refused = new ArrayList<>();
        for (OperatorState state : unclaimed) {
            String retiredBecause = RetiredOperators.whyDropped(state);
            boolean isNamed = namesLeft.remove(uid(state)) | namesLeft.remove(state.getOperatorID().toHexString());
            if (retiredBecause != null) {
                log.accept("Dropping the state of " + describe(state) + ": " + retiredBecause);
            } else if (isNamed) {
                log.accept("Dropping the state of " + describe(state) + ": named by --allow-non-restored-state-of");
            } else {
                refused.add(describe(state));
            }
        }
        if (!refused.isEmpty()) {
            throw new StateGuard.Refusal("Not restoring " + restore.getRestorePath() + ": it holds state of "
                    + String.join(", ", refused) + ", and this build has no operator for "
                    + (refused.size() == 1 ? "it" : "them") + ". Nothing was started. Restore it with the build that"
                    + " wrote it, or, if dropping that state loses nothing (docs/operating.md, \"Releases, and what a restore of each drops\", says what each"
                    + " release pair drops), name each one: --allow-non-restored-state-of <uid>.");
        }
        if (!namesLeft.isEmpty()) {
            log.accept("--allow-non-restored-state-of " + String.join(", ", namesLeft) + ": no such state to drop in "
                    + restore.getRestorePath());
        }
        if (!unclaimed.isEmpty()) {
            // every operator Flink will skip is one just accounted for; the executor takes the restore
            // settings from the environment's configuration, not from the graph
            Configuration skip = new Configuration();
            skip.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
            env.configure(skip);
        }
    }

    /**
     * Converts {@code from} (whose {@code metadata} is read) into a savepoint of this build at {@code
     * to} when its ledger state is release 0.1's (see {@link LedgerStateEra}); false, writing
     * nothing, when it is not. What {@link #apply} runs by itself, and {@code bin/billing
     * upgrade-state} ahead of a deployment.
     */
    public static boolean convertIfRelease01(String from, CheckpointMetadata metadata, String to, Consumer<String> log)
            throws Exception {
        java.util.Optional<String> unreadable = LedgerStateEra.unreadable(metadata);
        if (unreadable.isEmpty()) {
            return false;
        }
        log.accept("The ledger state of " + from + " was written by release 0.1 (ebd4a31) or an earlier build ("
                + unreadable.get() + "), which this build reads only by converting it.");
        Release01Conversion.convert(from, metadata, to, log);
        return true;
    }

    /**
     * The restore point's operators that hold state and are not in the graph: those Flink refuses
     * without {@code allowNonRestoredState} (it skips operators whose state is empty by itself).
     */
    static List<OperatorState> unclaimed(CheckpointMetadata metadata, Set<OperatorID> graph) {
        List<OperatorState> out = new ArrayList<>();
        for (OperatorState state : metadata.getOperatorStates()) {
            boolean hasState = state.getCoordinatorState() != null
                    || state.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
            if (hasState && !graph.contains(state.getOperatorID())) {
                out.add(state);
            }
        }
        return out;
    }

    /** The operator ids Flink gives the graph's operators: from their uids, as in the job graph. */
    static Set<OperatorID> operatorIds(StreamGraph graph) {
        Set<OperatorID> out = new HashSet<>();
        for (Map.Entry<Integer, byte[]> e : new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph).entrySet()) {
            out.add(new OperatorID(e.getValue()));
        }
        return out;
    }

    /** The metadata of a checkpoint or savepoint: its folder or its {@code _metadata} file. */
    public static CheckpointMetadata load(String pointer) throws IOException {
        FsCompletedCheckpointStorageLocation location = AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(pointer);
        try (DataInputStream in = new DataInputStream(location.getMetadataHandle().openInputStream())) {
            return Checkpoints.loadCheckpointMetadata(in, RestoreMapping.class.getClassLoader(), location.getExternalPointer());
        }
    }

    /** The operator's uid as the restore point recorded it, else its id. */
    static String uid(OperatorState state) {
        return state.getOperatorUid().filter(u -> !u.isEmpty()).orElse(state.getOperatorID().toHexString());
    }

    private static String describe(OperatorState state) {
        return "'" + uid(state) + "' (operator " + state.getOperatorID().toHexString() + ", " + state.getStateSize()
                + " bytes)";
    }
}
