package dev.billing.serde;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A {@link VersionedFormat} as the serializer of a sink writer's state: the version Flink stores
 * with each element is the format number, so a later build reads the state in the format it was written in.
 */
public final class FormatStateSerializer<T> implements SimpleVersionedSerializer<T> {
    private final VersionedFormat<T> format;

    public FormatStateSerializer(VersionedFormat<T> format) {
        this.format = format;
    }

    @Override
    public int getVersion() {
        return format.current();
    }

    @Override
    public byte[] serialize(T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        format.write(value, out, format.current());
        return out.getCopyOfBuffer();
    }

    @Override
    public T deserialize(int version, byte[] serialized) throws IOException {
        if (!format.reads(version)) {
            throw new IOException(format.describe(version) + " is not one this build reads (" + format.readable() + ")");
        }
        return format.read(new DataInputDeserializer(serialized), version);
    }
}
