package dev.billing.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.ledger.AccountState;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.StateSamples;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.LedgerInput;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written formats: exact round trips of every field, deep copies, that Flink picks them,
 * and what their snapshots answer at a restore (the committed bytes are {@link GoldenBytesTest}'s).
 */
class VersionedFormatsTest {

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
        assertThat(serializer.copy(value)).usingRecursiveComparison().isEqualTo(value);
        return back;
    }

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    private static <T> void assertRoundTrips(VersionedFormat<T> format, T value) throws Exception {
        assertThat(roundTrip(format.serializer(), value)).usingRecursiveComparison().isEqualTo(value);
    }

    @Test
    void accountStateRoundTripsEveryField() throws Exception {
        assertRoundTrips(AccountStateFormat.INSTANCE, StateSamples.fullWithUsagePosition());
        assertRoundTrips(AccountStateFormat.INSTANCE, StateSamples.opened());
        assertRoundTrips(AccountStateFormat.INSTANCE, new AccountState()); // references null, numbers 0
        assertRoundTrips(AccountStateFormat.INSTANCE, StateSamples.withEdgeValues());
    }

    @Test
    void accountStateCopyIsDeep() {
        AccountState s = StateSamples.full();
        AccountState copy = AccountStateFormat.INSTANCE.serializer().copy(s);
        assertThat(copy).usingRecursiveComparison().isEqualTo(s);
        copy.money().month().chargedUsd = d("7");
        copy.terms().alertThresholdsUsd()[0] = d("7");
        copy.openRollups().all().get(0).requests = 7;
        assertThat(copy).usingRecursiveComparison().isNotEqualTo(s);
        assertThat(s).usingRecursiveComparison().isEqualTo(StateSamples.full());
        assertThat(AccountStateFormat.INSTANCE.serializer().copy(null)).isNull();
    }

    @Test
    void monthSpendAndRollupRoundTrip() throws Exception {
        assertRoundTrips(MonthSpendFormat.INSTANCE, StateSamples.monthSpend());
        assertRoundTrips(UsageRollupFormat.INSTANCE, StateSamples.rollup());
        UsageRollup big = StateSamples.rollup();
        big.promptTokens = Long.MAX_VALUE / 2;
        big.costUsd = d("0.000760000000000000");
        assertRoundTrips(UsageRollupFormat.INSTANCE, big);
        assertRoundTrips(UsageRollupFormat.INSTANCE, new UsageRollup());
    }

    @Test
    void usageRecordsRoundTripWithTheirOriginalBytes() throws Exception {
        UsageRecord u = new UsageRecord("req-1", "acct-ü", "llama-3.3-70b", 120, 3_700, 1_764_000_000_123L);
        u.nodeId = "node-7";
        u.source = new SourceRecord("usage-records", 3, 1_234_567_890_123L, 1_764_000_000_200L,
                "acct-ü".getBytes(StandardCharsets.UTF_8), "{\"request_id\":\"req-1\"}".getBytes(StandardCharsets.UTF_8));
        assertRoundTrips(LedgerInputFormat.INSTANCE, LedgerInput.of(u));

        UsageRecord bare = new UsageRecord();
        bare.completedAtMs = Long.MIN_VALUE;
        bare.promptTokens = -1;
        assertRoundTrips(LedgerInputFormat.INSTANCE, LedgerInput.of(bare));
        UsageRecord noKey = new UsageRecord("r", "a", "m", 1, 2, 3);
        noKey.source = new SourceRecord("t", 0, 0, 0, null, new byte[0]);
        assertRoundTrips(LedgerInputFormat.INSTANCE, LedgerInput.of(noKey));
    }

    @Test
    void accountEventsRoundTripWithExactAmounts() throws Exception {
        for (AccountEventType type : AccountEventType.values()) {
            AccountEvent e = new AccountEvent("ev-" + type, "acct", type, 1_764_000_000_000L);
            e.amountUsd = d("-123456789012345678901234.000001");
            e.monthlyHardLimitUsd = d("100.00");
            e.alertThresholdsUsd = new BigDecimal[] {d("10"), d("50.000000")};
            e.discountAboveUsd = new BigDecimal[0];
            e.discountPercent = null;
            e.belowUsd = d("2.50");
            e.source = new SourceRecord("account-events", 0, 9, 10, null, new byte[] {1, 2});
            LedgerInput back = roundTrip(LedgerInputFormat.INSTANCE.serializer(), LedgerInput.of(e));
            assertThat(back).usingRecursiveComparison().isEqualTo(LedgerInput.of(e));
            assertThat(back.event.amountUsd.scale()).isEqualTo(6);
            assertThat(back.event.monthlyHardLimitUsd.toPlainString()).isEqualTo("100.00");
        }
        assertRoundTrips(LedgerInputFormat.INSTANCE, LedgerInput.of(new AccountEvent()));
        assertRoundTrips(LedgerInputFormat.INSTANCE, new LedgerInput());
    }

    @Test
    void flinkUsesTheHandWrittenFormats() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        for (VersionedFormat<?> format : new VersionedFormat<?>[] {AccountStateFormat.INSTANCE, MonthSpendFormat.INSTANCE,
                UsageRollupFormat.INSTANCE, LedgerInputFormat.INSTANCE}) {
            assertThat(TypeInformation.of(format.type())).isInstanceOf(SerializerTypeInfo.class);
            assertThat(TypeInformation.of(format.type()).createSerializer(config)).isEqualTo(format.serializer());
        }
    }

    @Test
    void aSnapshotOfTheCurrentFormatRestoresItAsIs() throws Exception {
        for (VersionedFormat<?> format : new VersionedFormat<?>[] {AccountStateFormat.INSTANCE, MonthSpendFormat.INSTANCE,
                UsageRollupFormat.INSTANCE, LedgerInputFormat.INSTANCE}) {
            assertRestoresAsIs(format);
        }
    }

    private static <T> void assertRestoresAsIs(VersionedFormat<T> format) throws IOException {
        TypeSerializerSnapshot<T> read = writtenAndRead(format.serializer());
        assertThat(read.restoreSerializer()).isEqualTo(format.serializer());
        assertThat(compatibility(format.serializer(), read).isCompatibleAsIs()).isTrue();
    }

    @Test
    void anOlderFormatMigratesAndItsSerializerWritesThatFormat() throws Exception {
        TypeSerializerSnapshot<AccountState> format1 = writtenAndRead(AccountStateFormat.INSTANCE.serializer(1));
        assertThat(compatibility(AccountStateFormat.INSTANCE.serializer(), format1).isCompatibleAfterMigration()).isTrue();
        AccountState s = StateSamples.full(); // auto top-up off: nothing format 1 lacks
        assertRoundTrips(AccountStateFormat.INSTANCE, s);
        assertThat(roundTrip(format1.restoreSerializer(), s)).usingRecursiveComparison().isEqualTo(s);
    }

    @Test
    void aNewerFormatOrAnotherTypeIsRefused() throws Exception {
        // state a later build wrote, in a format this one does not know
        VersionedSerializerSnapshot<AccountState> future = new VersionedSerializerSnapshot<>(AccountStateFormat.INSTANCE,
                AccountStateFormat.INSTANCE.current() + 1);
        assertThat(compatibility(AccountStateFormat.INSTANCE.serializer(), future).isIncompatible()).isTrue();

        TypeSerializerSnapshot<MonthSpend> month = writtenAndRead(MonthSpendFormat.INSTANCE.serializer());
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSchemaCompatibility<?> otherType = ((TypeSerializerSnapshot) AccountStateFormat.INSTANCE.serializer()
                .snapshotConfiguration()).resolveSchemaCompatibility((TypeSerializerSnapshot) month);
        assertThat(otherType.isIncompatible()).isTrue();

        assertThatThrownBy(future::restoreSerializer)
                .hasMessage("AccountState format " + (AccountStateFormat.INSTANCE.current() + 1) + " cannot be read"
                        + " by this build, which reads formats 1 to " + AccountStateFormat.INSTANCE.current() + ";"
                        + " restore with the build that wrote it, or one that migrates it.");
    }

    @Test
    void aSnapshotNamingAFormatThisBuildLacksSaysSo() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, AccountStateFormat.INSTANCE.serializer().snapshotConfiguration());
        byte[] bytes = new String(out.getCopyOfBuffer(), StandardCharsets.ISO_8859_1)
                .replace(AccountStateFormat.class.getName(), AccountStateFormat.class.getName().replace("Account", "Acco7nt"))
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes),
                getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("dev.billing.serde.Acco7ntStateFormat is not in this build");
    }

    private static <T> TypeSerializerSnapshot<T> writtenAndRead(TypeSerializer<T> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                VersionedFormatsTest.class.getClassLoader());
    }

    private static <T> TypeSerializerSchemaCompatibility<T> compatibility(TypeSerializer<T> current,
            TypeSerializerSnapshot<T> old) {
        return current.snapshotConfiguration().resolveSchemaCompatibility(old);
    }
}
