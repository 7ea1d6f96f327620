package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.serde.SerializerTypeInfo;
import java.math.BigDecimal;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The hand-written state serializers: exact round trips, deep copies, snapshots, and that Flink picks them. */
class StateSerializersTest {

    static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(128);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertThat(in.available()).isZero();
        // the stream copy gives the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(128);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        return back;
    }

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** {@link #full()} as the serializer before the auto top-up (format 1) wrote it, from the main branch's classes. */
    private static final String FORMAT_1_GOLDEN = "/state/account-state-format1.bin";

    /** Every field set, the auto top-up's too. */
    static AccountState fullWithAutoTopUp() {
        AccountState s = full();
        s.autoTopUpBelowUsd = d("2.00");
        s.autoTopUpAmountUsd = d("10.000000");
        s.autoTopUpRequested = true;
        s.autoTopUpRequests = 3;
        return s;
    }

    /** Every field of format 1 set (the golden file holds it as format 1 wrote it: keep it unchanged). */
    static AccountState full() {
        AccountState s = AccountState.opened(d("5.00"), 678);
        s.spendUsd = d("123456789012345678901234567890.123456789012345678");
        s.month.listUsd = d("-0.000000000000000001");
        s.month.chargedUsd = d("1E+3");
        s.newestMs = 1_764_000_000_123L;
        s.blockMask = 3;
        s.version = 1_764_000_000_123_000L;
        s.monthlyHardLimitUsd = d("100.00");
        s.alertThresholdsUsd = new BigDecimal[] {d("10"), d("50.5"), d("99.999999")};
        s.alertedUpToUsd = d("50.5");
        s.alertedMonth = 677;
        s.lastTopUpUsd = d("25.000000");
        s.topUps = 4;
        s.lowBalanceAlerted = true;
        s.discountAboveUsd = new BigDecimal[] {d("100")};
        s.discountPercent = new BigDecimal[] {d("12.50")};
        s.rolloverAtMs = 1_764_547_200_000L;
        UsageRollup open = UsageRollup.empty("deepseek-v3", 1_764_000_000_000L);
        open.add(120, 3_700, d("0.000955"), d("0.000955"));
        s.openRollups.add(open);
        s.openRollups.add(UsageRollup.empty("llama-3.1-8b", -3_600_000L));
        s.oldestRollupHourMs = 1_763_000_000_000L;
        s.oldestPastMonth = 676;
        s.versionRun = -8_123_456_789L;
        s.versionClockMs = 1_764_000_000_120L;
        s.statusBehind = true;
        s.oldestSeenMs = 1_763_500_000_000L;
        return s;
    }

    @Test
    void accountStateRoundTripsEveryField() throws Exception {
        AccountState s = fullWithAutoTopUp();
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, s)).usingRecursiveComparison().isEqualTo(s);
        AccountState opened = AccountState.opened(d("5.00"), 1);
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, opened)).usingRecursiveComparison().isEqualTo(opened);
    }

    @Test
    void accountStateWithNullsRoundTrips() throws Exception {
        AccountState empty = new AccountState(); // every reference null, every number 0
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, empty)).usingRecursiveComparison().isEqualTo(empty);
        AccountState s = full();
        s.alertThresholdsUsd = new BigDecimal[] {null, d("1")};
        s.discountPercent = null;
        s.monthlyHardLimitUsd = null;
        s.newestMs = Long.MIN_VALUE;
        s.version = Long.MAX_VALUE;
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, s)).usingRecursiveComparison().isEqualTo(s);
    }

    @Test
    void accountStateCopyIsDeep() {
        AccountState s = full();
        AccountState copy = AccountStateSerializer.INSTANCE.copy(s);
        assertThat(copy).usingRecursiveComparison().isEqualTo(s);
        copy.month.add(d("1"), d("1"));
        copy.alertThresholdsUsd[0] = d("7");
        copy.openRollups.get(0).add(1, 1, d("1"), d("1"));
        assertThat(s.openRollups.get(0).requests).isEqualTo(1);
        assertThat(s.month.chargedUsd).isEqualTo(d("1E+3"));
        assertThat(s.alertThresholdsUsd[0]).isEqualTo(d("10"));
        assertThat(AccountStateSerializer.INSTANCE.copy(null)).isNull();
    }

    @Test
    void stateWrittenBeforeTheAutoTopUpIsMigratedOnRestore() throws Exception {
        // the versioned snapshot the format-1 serializer wrote: its class name, version 3, no content
        DataOutputSerializer old = new DataOutputSerializer(64);
        old.writeUTF(AccountStateSerializer.Snapshot.class.getName());
        old.writeInt(3);
        TypeSerializerSnapshot<AccountState> oldSnapshot = TypeSerializerSnapshot.<AccountState>readVersionedSnapshot(new DataInputDeserializer(old.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(AccountStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(oldSnapshot)
                .isCompatibleAfterMigration()).isTrue();

        byte[] golden;
        try (var in = getClass().getResourceAsStream(FORMAT_1_GOLDEN)) {
            golden = in.readAllBytes();
        }
        TypeSerializer<AccountState> reader = oldSnapshot.restoreSerializer();
        DataInputDeserializer in = new DataInputDeserializer(golden);
        AccountState restored = reader.deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(restored).usingRecursiveComparison().isEqualTo(full()); // auto top-up off, never requested
        assertThat(restored.autoTopUpBelowUsd).isNull();
        DataOutputSerializer rewritten = new DataOutputSerializer(256);
        reader.serialize(restored, rewritten);
        assertThat(rewritten.getCopyOfBuffer()).as("format 1 written back byte for byte").isEqualTo(golden);
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, restored)).usingRecursiveComparison().isEqualTo(full());
    }

    @Test
    void aSnapshotOfAFormatFromTheFutureIsIncompatible() throws Exception {
        DataOutputSerializer future = new DataOutputSerializer(64);
        future.writeUTF(AccountStateSerializer.Snapshot.class.getName());
        future.writeInt(4);
        future.writeInt(AccountStateSerializer.FORMAT + 1);
        TypeSerializerSnapshot<AccountState> snapshot = TypeSerializerSnapshot.<AccountState>readVersionedSnapshot(new DataInputDeserializer(future.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(AccountStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(snapshot)
                .isIncompatible()).isTrue();
    }

    @Test
    void monthSpendAndRollupRoundTrip() throws Exception {
        MonthSpend m = MonthSpend.zero();
        m.add(d("0.000000000000123456"), d("-98765432109876543210.5"));
        assertThat(roundTrip(MonthSpendSerializer.INSTANCE, m)).usingRecursiveComparison().isEqualTo(m);

        UsageRollup r = UsageRollup.empty("llama-3.3-70b", 1_764_000_000_000L);
        r.add(Long.MAX_VALUE / 2, 3_800, d("0.000760000000000000"), d("0.000760"));
        assertThat(roundTrip(UsageRollupSerializer.INSTANCE, r)).usingRecursiveComparison().isEqualTo(r);
        UsageRollup blank = new UsageRollup();
        assertThat(roundTrip(UsageRollupSerializer.INSTANCE, blank)).usingRecursiveComparison().isEqualTo(blank);
        UsageRollup copy = UsageRollupSerializer.INSTANCE.copy(r);
        assertThat(copy).usingRecursiveComparison().isEqualTo(r).isNotSameAs(r);
    }

    @Test
    void flinkUsesTheHandWrittenSerializers() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        assertThat(TypeInformation.of(AccountState.class)).isInstanceOf(SerializerTypeInfo.class);
        assertThat(TypeInformation.of(AccountState.class).createSerializer(config)).isSameAs(AccountStateSerializer.INSTANCE);
        assertThat(TypeInformation.of(MonthSpend.class).createSerializer(config)).isSameAs(MonthSpendSerializer.INSTANCE);
        assertThat(TypeInformation.of(UsageRollup.class).createSerializer(config)).isSameAs(UsageRollupSerializer.INSTANCE);
    }

    @Test
    void snapshotsRestoreACompatibleSerializer() throws Exception {
        for (TypeSerializer<?> serializer : new TypeSerializer<?>[] {AccountStateSerializer.INSTANCE,
                MonthSpendSerializer.INSTANCE, UsageRollupSerializer.INSTANCE}) {
            TypeSerializerSnapshot<?> snapshot = serializer.snapshotConfiguration();
            DataOutputSerializer out = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
            TypeSerializerSnapshot<?> read = TypeSerializerSnapshot.readVersionedSnapshot(
                    new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
            assertThat(read.restoreSerializer()).isSameAs(serializer);
            @SuppressWarnings({"unchecked", "rawtypes"})
            boolean compatible = ((TypeSerializerSnapshot) serializer.snapshotConfiguration())
                    .resolveSchemaCompatibility((TypeSerializerSnapshot) read).isCompatibleAsIs();
            assertThat(compatible).isTrue();
        }
    }
}
