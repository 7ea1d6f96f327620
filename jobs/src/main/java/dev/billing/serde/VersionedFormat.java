package dev.billing.serde;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * The byte format of one type the job keeps in state or sends between tasks, in every numbered
 * version this build reads: one {@link #write} and one {@link #read} that take the format number,
 * so an older format is a branch in them, not a class of its own.
 *
 * <p>The evolution rule: adding a field means a new format number, written after the fields the
 * older formats have; the reader of the older format fills it with its default. Renaming or
 * retyping a field is the same: the older format's branch maps the old bytes to the new field. A
 * new format also adds its golden-bytes fixture ({@code GoldenFixtures}). Dropping the reader of a
 * format ({@link #oldest} up) makes savepoints of that format unrestorable: the restore then fails,
 * naming the state, before any record is read.
 *
 * <p>A savepoint names the format's class ({@link VersionedSerializerSnapshot}), so a subclass
 * keeps its name and a public no-argument constructor, as does its type.
 */
public abstract class VersionedFormat<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final int oldest;
    private final int current;

    protected VersionedFormat(Class<T> type, int oldest, int current) {
        this.type = type;
        this.oldest = oldest;
        this.current = current;
    }

    /** A value with every field unset, for Flink's {@code createInstance}: the type's no-argument constructor. */
    protected T createInstance() {
        return InstantiationUtil.instantiate(type);
    }

    /** Writes {@code value} in {@code format}, one this build reads. */
    protected abstract void write(T value, DataOutputView out, int format) throws IOException;

    /** Reads a value written in {@code format}, one this build reads. */
    protected abstract T read(DataInputView in, int format) throws IOException;

    public final Class<T> type() {
        return type;
    }

    /** The format this build writes. */
    public final int current() {
        return current;
    }

    public final boolean reads(int format) {
        return format >= oldest && format <= current;
    }

    /** The serializer of the current format. */
    public final VersionedSerializer<T> serializer() {
        return new VersionedSerializer<>(this, current);
    }

    /** The serializer of an older format this build reads, which restores migrate from. */
    public final VersionedSerializer<T> serializer(int format) {
        if (!reads(format)) {
            throw new IllegalArgumentException(describe(format) + " is not one this build reads (" + readable() + ")");
        }
        return new VersionedSerializer<>(this, format);
    }

    /** Flink's type information for {@link #type}: the current format's serializer, never a reflective one. */
    public final TypeInformation<T> typeInfo() {
        return new SerializerTypeInfo<>(type, serializer());
    }

    final String describe(int format) {
        return type.getSimpleName() + " format " + format;
    }

    final String readable() {
        return oldest == current ? "format " + current : "formats " + oldest + " to " + current;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }
}
