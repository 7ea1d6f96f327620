package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.convert.Release01Conversion;
import dev.billing.ledger.ConvertedAccount;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import dev.billing.upgrade.ReleaseFixtures;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollector;
import org.apache.flink.streaming.runtime.operators.sink.committables.CommittableCollectorSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a restore drops, on release 0.1's own savepoint and checkpoint (written by its code, see
 * {@code releases/README.md}) and on the committed savepoint of this build's workflow.
 */
class RestoreMappingTest {
    private static final Set<String> RELEASE_0_1_COMMITTERS =
            Set.of("Sink Committer: sink-account-balance", "Sink Committer: sink-usage-hourly");

    @TempDir
    Path work;

    @Test
    void release01sOnlyOperatorsWithoutAPlaceHereAreItsJdbcCommittersAndTheyHoldNoCommittable() throws Exception {
        for (ReleaseFixtures.RestorePoint point : release01()) {
            List<OperatorState> unclaimed = RestoreMapping.unclaimed(RestoreMapping.load(point.path().toString()),
                    RestoreMapping.operatorIds(environment().getStreamGraph(false)));
            assertThat(unclaimed.stream().map(RestoreMapping::uid).collect(Collectors.toSet())).as(point.toString())
                    .isEqualTo(RELEASE_0_1_COMMITTERS);
            for (OperatorState committer : unclaimed) {
                assertThat(RetiredOperators.committables(committer)).as(point + " " + RestoreMapping.uid(committer))
                        .isZero();
                assertThat(RetiredOperators.whyDropped(committer)).contains("holds no committable");
            }
        }
    }

    /**
     * Release 0.1's ledger state is told apart by its seen-ids, and converted into a savepoint whose
     * ledger state is this build's, with every other operator's state carried over: what still has no
     * place here is release 0.1's two JDBC committers, as before. A restore point of a later build is
     * not converted.
     */
    @Test
    void release01sLedgerStateIsConvertedIntoOneThisBuildReads() throws Exception {
        for (ReleaseFixtures.RestorePoint point : ReleaseFixtures.all()) {
            CheckpointMetadata metadata = RestoreMapping.load(point.path().toString());
            assertThat(LedgerStateEra.unreadable(metadata)).as(point.toString())
                    .isEqualTo(point.release().equals("release-0.1")
                            ? java.util.Optional.of("its 'seen-ids' holds values under a state TTL where this build"
                                    + " keeps the time each id was seen")
                            : java.util.Optional.empty());
        }
        for (ReleaseFixtures.RestorePoint point : release01()) {
            String converted = work.resolve(point.kind() + "-converted").toUri().toString();
            List<String> log = new ArrayList<>();
            Release01Conversion.convert(point.path().toUri().toString(), RestoreMapping.load(point.path().toString()),
                    converted, line -> {
                        log.add(line);
                        System.out.println(line); // what an operator reads, in the test's output
                    });
            CheckpointMetadata after = RestoreMapping.load(converted);
            assertThat(LedgerStateEra.unreadable(after)).as(point + " converted").isEmpty();
            assertThat(RestoreMapping.unclaimed(after, RestoreMapping.operatorIds(environment().getStreamGraph(false)))
                    .stream().map(RestoreMapping::uid).collect(Collectors.toSet())).as(point + " converted")
                    .isEqualTo(RELEASE_0_1_COMMITTERS);
            assertThat(log).as(point + " converted").anyMatch(l -> l.startsWith("Converted in ") && l.contains(" accounts, credits "));
        }
    }

    /** What the conversion sends from its reader to its writer has no field left to Kryo. */
    @Test
    void aConvertedAccountHasExplicitSerializersOnly() {
        var info = (org.apache.flink.api.java.typeutils.PojoTypeInfo<ConvertedAccount>) TypeInformation.of(ConvertedAccount.class);
        for (int i = 0; i < info.getArity(); i++) {
            assertThat(info.getTypeAt(i)).as(info.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(org.apache.flink.api.java.typeutils.GenericTypeInfo.class);
        }
    }

    /**
     * The committed savepoint of this build's workflow was written with in-memory sources, whose
     * uids the job does not have: their state is refused unless each is named, then dropped.
     */
    @Test
    void stateOfAnOperatorThisBuildLacksIsRefusedUntilEachIsNamed() throws Exception {
        Path savepoint = Path.of(getClass().getResource("/savepoints/release-0.1").toURI());
        List<OperatorState> unclaimed = RestoreMapping.unclaimed(RestoreMapping.load(savepoint.toString()),
                RestoreMapping.operatorIds(environment().getStreamGraph(false)));
        List<String> uids = unclaimed.stream().map(RestoreMapping::uid).sorted().toList();
        assertThat(uids).as("the writer's in-memory sources")
                .isEqualTo(List.of("writer-account-events", "writer-rate-cards", "writer-usage-records"));

        StreamExecutionEnvironment refused = restoring(savepoint);
        assertThatThrownBy(() -> RestoreMapping.apply(refused, uids.subList(1, uids.size()), line -> { }))
                .isInstanceOf(StateGuard.Refusal.class).hasMessageContaining("'" + uids.get(0) + "'")
                .hasMessageContaining("--allow-non-restored-state-of");
        assertThat(refused.getConfiguration().get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isFalse();

        StreamExecutionEnvironment named = restoring(savepoint);
        List<String> log = new ArrayList<>();
        RestoreMapping.apply(named, uids, log::add);
        assertThat(log).hasSize(uids.size()).allMatch(l -> l.endsWith("named by --allow-non-restored-state-of"));
        assertThat(named.getConfiguration().get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)).isTrue();
    }

    @Test
    void aRetiredCommitterHoldingACommittableIsRefused() throws Exception {
        OperatorState committer = committerState("Sink Committer: sink-usage-hourly", "an XA transaction id");
        assertThat(RetiredOperators.committables(committer)).isEqualTo(1);
        assertThatThrownBy(() -> RetiredOperators.whyDropped(committer)).isInstanceOf(StateGuard.Refusal.class)
                .hasMessageContaining("holds 1 committable(s)");
    }

    private static List<ReleaseFixtures.RestorePoint> release01() throws Exception {
        List<ReleaseFixtures.RestorePoint> points = ReleaseFixtures.all().stream()
                .filter(p -> p.release().equals("release-0.1")).toList();
        assertThat(points).hasSize(2);
        return points;
    }

    private JobOptions options() throws IOException {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs("--checkpoint-dir", Files.createDirectories(work.resolve("chk")).toUri().toString(),
                "--parallelism", "2");
        return options;
    }

    private StreamExecutionEnvironment environment() throws IOException {
        JobOptions options = options();
        return BillingJob.environment(options, JobConfiguration.of(options));
    }

    private StreamExecutionEnvironment restoring(Path restorePoint) throws IOException {
        JobOptions options = options();
        Configuration conf = JobConfiguration.of(options);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePoint.toUri().toString());
        return BillingJob.environment(options, conf);
    }

    /** A sink committer's state as Flink writes it, holding one committable of checkpoint 1. */
    private static OperatorState committerState(String uid, String committable) throws IOException {
        SimpleVersionedSerializer<String> strings = new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(String s) {
                return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public String deserialize(int version, byte[] bytes) {
                return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
        };
        var metrics = InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricsGroup.createOperatorMetricGroup());
        CommittableCollector<String> collector = CommittableCollector.of(metrics);
        collector.addMessage(new CommittableSummary<>(0, 1, 1L, 1, 0));
        collector.addMessage(new CommittableWithLineage<>(committable, 1L, 0));
        byte[] element = SimpleVersionedSerialization.writeVersionAndSerialize(
                new CommittableCollectorSerializer<>(strings, 0, 1, metrics), collector);
        DataOutputSerializer out = new DataOutputSerializer(256);
        BytePrimitiveArraySerializer.INSTANCE.serialize(element, out);
        OperatorStateHandle handle = new OperatorStreamStateHandle(
                Map.of(RetiredOperators.COMMITTER_STATE, new OperatorStateHandle.StateMetaInfo(new long[] {0},
                        OperatorStateHandle.Mode.SPLIT_DISTRIBUTE)),
                new ByteStreamStateHandle("committer", out.getCopyOfBuffer()));
        OperatorState state = new OperatorState("committer", uid, OperatorID.fromJobVertexID(
                new org.apache.flink.runtime.jobgraph.JobVertexID()), 1, 128);
        state.putState(0, OperatorSubtaskState.builder().setManagedOperatorState(handle).build());
        return state;
    }
}
