package dev.billing.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.serde.SerializerTypeInfo;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class LedgerInputSerializerTest {

    private static LedgerInput roundTrip(LedgerInput value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        LedgerInputSerializer.INSTANCE.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        LedgerInput back = LedgerInputSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        DataOutputSerializer copied = new DataOutputSerializer(256);
        LedgerInputSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        assertThat(LedgerInputSerializer.INSTANCE.copy(value)).usingRecursiveComparison().isEqualTo(value);
        return back;
    }

    @Test
    void usageRecordsRoundTripWithTheirOriginalBytes() throws Exception {
        UsageRecord u = new UsageRecord("req-1", "acct-ü", "llama-3.3-70b", 120, 3_700, 1_764_000_000_123L);
        u.nodeId = "node-7";
        u.source = new SourceRecord("usage-records", 3, 1_234_567_890_123L, 1_764_000_000_200L,
                "acct-ü".getBytes(StandardCharsets.UTF_8), "{\"request_id\":\"req-1\"}".getBytes(StandardCharsets.UTF_8));
        LedgerInput in = LedgerInput.of(u);
        assertThat(roundTrip(in)).usingRecursiveComparison().isEqualTo(in);

        UsageRecord bare = new UsageRecord();
        bare.completedAtMs = Long.MIN_VALUE;
        bare.promptTokens = -1;
        assertThat(roundTrip(LedgerInput.of(bare))).usingRecursiveComparison().isEqualTo(LedgerInput.of(bare));
        UsageRecord noKey = new UsageRecord("r", "a", "m", 1, 2, 3);
        noKey.source = new SourceRecord("t", 0, 0, 0, null, new byte[0]);
        assertThat(roundTrip(LedgerInput.of(noKey))).usingRecursiveComparison().isEqualTo(LedgerInput.of(noKey));
    }

    @Test
    void accountEventsRoundTripWithExactAmounts() throws Exception {
        for (AccountEventType type : AccountEventType.values()) {
            AccountEvent e = new AccountEvent("ev-" + type, "acct", type, 1_764_000_000_000L);
            e.amountUsd = new BigDecimal("-123456789012345678901234.000001");
            e.monthlyHardLimitUsd = new BigDecimal("100.00");
            e.alertThresholdsUsd = new BigDecimal[] {new BigDecimal("10"), new BigDecimal("50.000000")};
            e.discountAboveUsd = new BigDecimal[0];
            e.discountPercent = null;
            e.source = new SourceRecord("account-events", 0, 9, 10, null, new byte[] {1, 2});
            LedgerInput in = LedgerInput.of(e);
            LedgerInput back = roundTrip(in);
            assertThat(back).usingRecursiveComparison().isEqualTo(in);
            assertThat(back.event.amountUsd.scale()).isEqualTo(6);
            assertThat(back.event.monthlyHardLimitUsd.toPlainString()).isEqualTo("100.00");
        }
        AccountEvent untyped = new AccountEvent();
        assertThat(roundTrip(LedgerInput.of(untyped))).usingRecursiveComparison().isEqualTo(LedgerInput.of(untyped));
        assertThat(roundTrip(new LedgerInput())).usingRecursiveComparison().isEqualTo(new LedgerInput());
    }

    @Test
    void flinkUsesItForLedgerInput() {
        assertThat(TypeInformation.of(LedgerInput.class)).isInstanceOf(SerializerTypeInfo.class);
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        assertThat(TypeInformation.of(LedgerInput.class).createSerializer(config)).isSameAs(LedgerInputSerializer.INSTANCE);
    }
}
