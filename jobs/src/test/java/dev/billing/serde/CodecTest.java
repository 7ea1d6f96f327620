package dev.billing.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CodecTest {

    private static BigDecimal roundTrip(BigDecimal value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        Codec.writeDecimal(out, value);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        BigDecimal back = Codec.readDecimal(in);
        assertThat(in.available()).isZero();
        return back;
    }

    @Test
    void decimalsRoundTripExactlyWithTheirScale() throws Exception {
        String[] values = {"0", "0.00", "5.00", "-5.00", "0.000048", "-0.000000000000000001", "1E+5", "-3E-40",
                "123456789012345678.123456789012345678", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "-9223372036854775809", "0.100000000000000000000000000000000000000000000001",
                "-99999999999999999999999999999999999999.999999999999999999"};
        for (String text : values) {
            BigDecimal v = new BigDecimal(text);
            BigDecimal back = roundTrip(v);
            assertThat(back).as(text).isEqualTo(v); // equals: value and scale
            assertThat(back.scale()).as(text).isEqualTo(v.scale());
            assertThat(back.unscaledValue()).as(text).isEqualTo(v.unscaledValue());
        }
        BigDecimal huge = new BigDecimal(BigInteger.TWO.pow(300).negate(), Integer.MAX_VALUE);
        assertThat(roundTrip(huge)).isEqualTo(huge);
        BigDecimal negativeScale = new BigDecimal(BigInteger.valueOf(7), Integer.MIN_VALUE);
        assertThat(roundTrip(negativeScale)).isEqualTo(negativeScale);
        assertThat(roundTrip(null)).isNull();
    }

    @Test
    void smallAmountsAreCompact() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        Codec.writeDecimal(out, new BigDecimal("0.000048"));
        assertThat(out.length()).isEqualTo(3);
    }

    @Test
    void decimalArraysKeepNullsAndOrder() throws Exception {
        BigDecimal[][] cases = {null, {}, {null}, {new BigDecimal("10.00"), null, new BigDecimal("-1E-30")}};
        for (BigDecimal[] values : cases) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            Codec.writeDecimals(out, values);
            BigDecimal[] back = Codec.readDecimals(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(values);
        }
    }

    @Test
    void varintsCoverTheWholeRange() throws Exception {
        long[] longs = {0, 1, -1, 63, -64, 64, 127, 128, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_000_000L};
        int[] ints = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 300, -300};
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (long v : longs) {
            Codec.writeZigZagLong(out, v);
            Codec.writeVarLong(out, v);
        }
        for (int v : ints) {
            Codec.writeZigZagInt(out, v);
            Codec.writeVarInt(out, v);
        }
        Codec.writeString(out, null);
        Codec.writeString(out, "llama-3.3-70b é");
        Codec.writeBytes(out, null);
        Codec.writeBytes(out, new byte[0]);
        Codec.writeBytes(out, new byte[] {1, -2, 3});
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (long v : longs) {
            assertThat(Codec.readZigZagLong(in)).isEqualTo(v);
            assertThat(Codec.readVarLong(in)).isEqualTo(v);
        }
        for (int v : ints) {
            assertThat(Codec.readZigZagInt(in)).isEqualTo(v);
            assertThat(Codec.readVarInt(in)).isEqualTo(v);
        }
        assertThat(Codec.readString(in)).isNull();
        assertThat(Codec.readString(in)).isEqualTo("llama-3.3-70b é");
        assertThat(Codec.readBytes(in)).isNull();
        assertThat(Codec.readBytes(in)).isEmpty();
        assertThat(Codec.readBytes(in)).containsExactly(1, -2, 3);
        assertThat(in.available()).isZero();
    }
}
