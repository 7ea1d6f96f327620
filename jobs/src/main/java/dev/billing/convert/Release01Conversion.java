package dev.billing.convert;

import dev.billing.ledger.ConvertedAccount;
import dev.billing.ledger.LedgerStateWriter;
import dev.billing.model.RateCard;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Converts a savepoint or retained checkpoint of release 0.1 (ebd4a31) into a savepoint this build
 * restores, with Flink's State Processor API: two bounded jobs, run before the job is submitted.
 *
 * <p>Only the ledger's state changes ({@link Release01LedgerReader} reads it, {@link
 * LedgerStateWriter} writes it back under the same uid, rate cards included); every other operator's
 * state (the Kafka sources' offsets, the sinks' state, release 0.1's JDBC committers, which the
 * restore then checks and drops) is carried over as it is. The restore point is only read.
 */
public final class Release01Conversion {
    static final String LEDGER_UID = "account-ledger";
    private static final TypeInformation<LedgerTotals> TOTALS = TypeInformation.of(LedgerTotals.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Release01Conversion() {}

    /**
     * Where the conversion of {@code restorePoint} goes: next to it, named after it and the time, so
     * it never overwrites anything. Next to a retained checkpoint it is a {@code chk-*} folder of the
     * release's job, so a start of the job that finds the newest retained checkpoint by itself, before
     * the converted state has a checkpoint of its own, takes it instead of converting again.
     */
    public static String nextTo(String restorePoint, Instant now) {
        String path = restorePoint.endsWith("/") ? restorePoint.substring(0, restorePoint.length() - 1) : restorePoint;
        return path + "-converted-" + STAMP.format(now);
    }

    /** Converts {@code from} (its metadata already read) into a new savepoint at {@code to}, which must not exist yet. */
    public static void convert(String from, CheckpointMetadata metadata, String to, Consumer<String> log)
            throws Exception {
        org.apache.flink.core.fs.Path target = new org.apache.flink.core.fs.Path(to);
        if (target.getFileSystem().exists(target)) {
            throw new IllegalStateException(to + " exists: a conversion never writes over anything");
        }
        long started = System.currentTimeMillis();
        log.accept("Converting " + from + ", written by release 0.1 (ebd4a31), to a savepoint of this build: " + to);
        List<RateCard> cards = rateCards(from);
        StreamExecutionEnvironment env = environment();
        DataStream<ConvertedAccount> accounts = SavepointReader.read(env, from, new EmbeddedRocksDBStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(LEDGER_UID), new Release01LedgerReader(started), Types.STRING,
                        TypeInformation.of(ConvertedAccount.class));
        CloseableIterator<LedgerTotals> read = summed(accounts.map(a -> LedgerTotals.of(a.state.money().creditsUsd(),
                a.state.money().spendUsd(), a.seenIds.length, a.rollupKeys.length, a.state.openRollups().size(),
                a.pastMonths.length), TOTALS)).collectAsync();
        SavepointWriter.fromExistingSavepoint(env, from, new EmbeddedRocksDBStateBackend())
                .removeOperator(OperatorIdentifier.forUid(LEDGER_UID))
                .withOperator(OperatorIdentifier.forUid(LEDGER_UID), OperatorTransformation.bootstrapWith(accounts)
                        .keyBy(a -> a.accountId, Types.STRING)
                        .transform(LedgerStateWriter.factory(metadata.getCheckpointId(), cards)))
                .write(to);
        env.execute("convert release 0.1 state");
        LedgerTotals released;
        try (read) {
            released = LedgerTotals.last(read);
        }
        LedgerTotals converted = convertedTotals(to);
        if (!released.equals(converted)) {
            throw new IllegalStateException("the converted ledger state does not add up to the release's: " + released
                    + " read, " + converted + " converted");
        }
        log.accept("Converted in " + Duration.ofMillis(System.currentTimeMillis() - started).toSeconds() + " s: "
                + converted + ", " + cards.size() + " rate cards, read back as this build reads them and equal to what"
                + " was read: " + to + " (" + from + " is unchanged).");
    }

    /** The converted savepoint's ledger, added up as this build reads it. */
    private static LedgerTotals convertedTotals(String savepoint) throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<LedgerTotals> accounts = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend())
                .readKeyedState(OperatorIdentifier.forUid(LEDGER_UID), new ConvertedLedgerTotals(), Types.STRING, TOTALS);
        try (CloseableIterator<LedgerTotals> it = summed(accounts).executeAndCollect("add up the converted state")) {
            return LedgerTotals.last(it);
        }
    }

    /** One rolling sum over every account: its last update is the total. */
    private static DataStream<LedgerTotals> summed(DataStream<LedgerTotals> accounts) {
        return accounts.keyBy(t -> 0, Types.INT).reduce(LedgerTotals::sum).returns(TOTALS);
    }

    /** The ledger's broadcast rate cards (every subtask holds them all: read by id). */
    private static List<RateCard> rateCards(String from) throws Exception {
        StreamExecutionEnvironment env = environment();
        DataStream<Tuple2<String, RateCard>> read = SavepointReader.read(env, from, new EmbeddedRocksDBStateBackend())
                .readBroadcastState(OperatorIdentifier.forUid(LEDGER_UID), "rate-cards", Types.STRING,
                        TypeInformation.of(RateCard.class));
        Map<String, RateCard> out = new LinkedHashMap<>();
        try (CloseableIterator<Tuple2<String, RateCard>> it = read.executeAndCollect("read release 0.1 rate cards")) {
            it.forEachRemaining(t -> out.put(t.f0, t.f1));
        }
        return new ArrayList<>(out.values());
    }

    /**
     * Where the conversion runs: the cluster the job itself is submitted to under {@code flink run}
     * (which must read the restore point anyway), else a local mini-cluster in this process, as
     * under {@code bin/billing job}. Kryo stays allowed: the State Processor API ships Flink's own
     * checkpoint metadata through it; what this build sends has explicit serializers
     * ({@link ConvertedAccount}).
     */
    private static StreamExecutionEnvironment environment() {
        return StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
    }
}
