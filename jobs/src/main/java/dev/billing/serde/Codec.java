package dev.billing.serde;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Compact, reflection-free encodings shared by the hand-written serializers: variable-length
 * integers, nullable strings and exact decimals.
 *
 * <p>A {@link BigDecimal} is written as its scale and its unscaled value, never as a binary float:
 * one tag byte (null, an unscaled value that fits a long, or a longer one), the scale as a zig-zag
 * varint, then the unscaled value as a zig-zag varlong or as its two's-complement bytes. A price
 * such as {@code 0.000048} takes 3 bytes; any value round-trips exactly, scale included
 * ({@code 5.00} stays {@code 5.00}).
 */
public final class Codec {
    private static final int NULL = 0;
    private static final int SMALL = 1;
    private static final int BIG = 2;

    private Codec() {}

    public static void writeVarInt(DataOutputView out, int value) throws IOException {
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    public static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint");
    }

    public static void writeVarLong(DataOutputView out, long value) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    public static long readVarLong(DataInputView in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varlong");
    }

    public static void writeZigZagInt(DataOutputView out, int value) throws IOException {
        writeVarInt(out, (value << 1) ^ (value >> 31));
    }

    public static int readZigZagInt(DataInputView in) throws IOException {
        int v = readVarInt(in);
        return (v >>> 1) ^ -(v & 1);
    }

    public static void writeZigZagLong(DataOutputView out, long value) throws IOException {
        writeVarLong(out, (value << 1) ^ (value >> 63));
    }

    public static long readZigZagLong(DataInputView in) throws IOException {
        long v = readVarLong(in);
        return (v >>> 1) ^ -(v & 1);
    }

    /** A nullable decimal, exactly (scale and unscaled value). */
    public static void writeDecimal(DataOutputView out, BigDecimal value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
            return;
        }
        BigInteger unscaled = value.unscaledValue();
        if (unscaled.bitLength() < 64) {
            out.writeByte(SMALL);
            writeZigZagInt(out, value.scale());
            writeZigZagLong(out, unscaled.longValue());
        } else {
            out.writeByte(BIG);
            writeZigZagInt(out, value.scale());
            byte[] bytes = unscaled.toByteArray();
            writeVarInt(out, bytes.length);
            out.write(bytes);
        }
    }

    public static BigDecimal readDecimal(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL:
                return null;
            case SMALL: {
                int scale = readZigZagInt(in);
                return BigDecimal.valueOf(readZigZagLong(in), scale);
            }
            case BIG: {
                int scale = readZigZagInt(in);
                byte[] bytes = new byte[readVarInt(in)];
                in.readFully(bytes);
                return new BigDecimal(new BigInteger(bytes), scale);
            }
            default:
                throw new IOException("unknown decimal tag " + tag);
        }
    }

    /** A nullable array of nullable decimals. */
    public static void writeDecimals(DataOutputView out, BigDecimal[] values) throws IOException {
        if (values == null) {
            writeVarInt(out, 0);
            return;
        }
        writeVarInt(out, values.length + 1);
        for (BigDecimal v : values) {
            writeDecimal(out, v);
        }
    }

    public static BigDecimal[] readDecimals(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        BigDecimal[] values = new BigDecimal[n - 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = readDecimal(in);
        }
        return values;
    }

    /** A nullable string (modified UTF-8 would limit it to 64 KB; this has no limit). */
    public static void writeString(DataOutputView out, String value) throws IOException {
        org.apache.flink.types.StringValue.writeString(value, out);
    }

    public static String readString(DataInputView in) throws IOException {
        return org.apache.flink.types.StringValue.readString(in);
    }

    /** A nullable byte array. */
    public static void writeBytes(DataOutputView out, byte[] value) throws IOException {
        if (value == null) {
            writeVarInt(out, 0);
            return;
        }
        writeVarInt(out, value.length + 1);
        out.write(value);
    }

    public static byte[] readBytes(DataInputView in) throws IOException {
        int n = readVarInt(in);
        if (n == 0) {
            return null;
        }
        byte[] value = new byte[n - 1];
        in.readFully(value);
        return value;
    }
}
