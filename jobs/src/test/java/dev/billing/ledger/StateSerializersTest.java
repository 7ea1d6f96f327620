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

    @Test
    void accountStateRoundTripsEveryField() throws Exception {
        AccountState s = StateSamples.fullWithAutoTopUp();
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, s)).usingRecursiveComparison().isEqualTo(s);
        AccountState opened = AccountState.opened(d("5.00"), 1);
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, opened)).usingRecursiveComparison().isEqualTo(opened);
    }

    @Test
    void accountStateWithNullsRoundTrips() throws Exception {
        AccountState empty = new AccountState(); // every part empty: references null, numbers 0, no oldest entries
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, empty)).usingRecursiveComparison().isEqualTo(empty);
        AccountState s = StateSamples.withEdgeValues();
        assertThat(roundTrip(AccountStateSerializer.INSTANCE, s)).usingRecursiveComparison().isEqualTo(s);
    }

    @Test
    void accountStateCopyIsDeep() {
        AccountState s = StateSamples.full();
        AccountState copy = AccountStateSerializer.INSTANCE.copy(s);
        assertThat(copy).usingRecursiveComparison().isEqualTo(s);
        copy.money.month().add(d("1"), d("1"));
        copy.terms.alertThresholdsUsd()[0] = d("7");
        copy.openRollups.all().get(0).add(1, 1, d("1"), d("1"));
        assertThat(s.openRollups.all().get(0).requests).isEqualTo(1);
        assertThat(s.money.month().chargedUsd).isEqualTo(d("1E+3"));
        assertThat(s.terms.alertThresholdsUsd()[0]).isEqualTo(d("10"));
        assertThat(AccountStateSerializer.INSTANCE.copy(null)).isNull();
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
