package dev.billing.serde;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer whose byte format has numbered versions. A savepoint
 * stores the format its state was written in; on restore the current build answers:
 *
 * <ul>
 *   <li>same format: compatible as is;</li>
 *   <li>an older format it can still read ({@link #serializerFor}): compatible after migration,
 *       so Flink reads every value with the old format's serializer and writes it in the new one;</li>
 *   <li>a newer format, or one too old: incompatible, and Flink refuses the restore, naming the state,
 *       before any record is read.</li>
 * </ul>
 *
 * <p>The evolution rule: adding a field means a new format number, a reader of the old format that
 * fills the field with its default, and a golden-bytes fixture of the new format
 * ({@code GoldenBytesTest}). Renaming or retyping a field is the same: the old format's reader maps
 * the old bytes to the new field.
 *
 * <p>Snapshot versions 1 to 3 are those of Flink's {@code SimpleTypeSerializerSnapshot}, which these
 * serializers used before they had formats: such a snapshot holds no format and means format 1.
 */
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final int SNAPSHOT_VERSION = 4;
    private static final int FIRST_FORMAT = 1;

    private int format;

    protected VersionedSerializerSnapshot() {
        this.format = currentFormat();
    }

    /** The snapshot of an older format's reader, which describes what that reader reads and writes. */
    protected VersionedSerializerSnapshot(int format) {
        this.format = format;
    }

    /** The format this build writes. */
    protected abstract int currentFormat();

    /** A serializer that reads {@code format}, or null when this build cannot read it. */
    protected abstract TypeSerializer<T> serializerFor(int format);

    /** The format of the state this snapshot describes. */
    public int format() {
        return format;
    }

    @Override
    public int getCurrentVersion() {
        return SNAPSHOT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(format);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        format = readVersion < SNAPSHOT_VERSION ? FIRST_FORMAT : in.readInt();
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        TypeSerializer<T> serializer = serializerFor(format);
        if (serializer == null) {
            throw new IllegalStateException(describe(format) + " cannot be read by this build, which reads "
                    + readable() + "; restore with the build that wrote it, or one that migrates it.");
        }
        return serializer;
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        if (!(oldSnapshot instanceof VersionedSerializerSnapshot<T> old) || old.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.format == format) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        if (old.format < format && serializerFor(old.format) != null) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    private String describe(int f) {
        return getClass().getName().replace('$', '.') + " format " + f;
    }

    private String readable() {
        StringBuilder formats = new StringBuilder();
        for (int f = FIRST_FORMAT; f <= currentFormat(); f++) {
            if (serializerFor(f) != null) {
                formats.append(formats.length() == 0 ? "format " : ", ").append(f);
            }
        }
        return formats.toString();
    }
}
