package dev.billing.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for a {@link VersionedFormat}, fixed to one of its formats: the current one
 * for new state, an older one to read state a restore migrates. Stateless, so one instance serves
 * every thread; variable length; values are mutable and never reused on read (they are small). A
 * copy is a write and a read, so it can never miss a field the serialized form has.
 */
public final class VersionedSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final VersionedFormat<T> type;
    private final int format;

    VersionedSerializer(VersionedFormat<T> type, int format) {
        this.type = type;
        this.format = format;
    }

    public int format() {
        return format;
    }

    VersionedFormat<T> type() {
        return type;
    }

    @Override
    public void serialize(T value, DataOutputView out) throws IOException {
        type.write(value, out, format);
    }

    @Override
    public T deserialize(DataInputView in) throws IOException {
        return type.read(in, format);
    }

    @Override
    public T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public T copy(T from) {
        if (from == null) {
            return null;
        }
        try {
            DataOutputSerializer out = new DataOutputSerializer(128);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy a " + type.type().getSimpleName(), e);
        }
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public T createInstance() {
        return type.createInstance();
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new VersionedSerializerSnapshot<>(type, format);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionedSerializer<?> other && other.type.equals(type) && other.format == format;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, format);
    }

    @Override
    public String toString() {
        return type.describe(format);
    }
}
