package dev.billing.serde;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * What a savepoint records of a {@link VersionedSerializer}: its {@link VersionedFormat}'s class and
 * the format number the state was written in. On restore the current build answers:
 *
 * <ul>
 *   <li>same format: compatible as is;</li>
 *   <li>an older format it still reads: compatible after migration, so Flink reads every value in
 *       the old format and writes it in the current one;</li>
 *   <li>a newer format, one too old, or another type: incompatible, and Flink refuses the restore,
 *       naming the state, before any record is read.</li>
 * </ul>
 *
 * <p>Snapshot versions: 1 to 3 are Flink's {@code SimpleTypeSerializerSnapshot}, which release 0.1
 * wrote (format 1); 4 the format alone; both under the class names of the serializers of the time,
 * which therefore stay as subclasses that name their format ({@code AccountStateSerializer.Snapshot}
 * and its three siblings). 5, this one, adds the format's class, so a new type needs no snapshot
 * class of its own.
 */
public class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final int VERSION = 5;
    private static final int FORMAT_ALONE = 4;
    private static final int RELEASE_0_1_FORMAT = 1;

    private VersionedFormat<T> type;
    private int format;

    /** For Flink, which reads the format's class and number afterwards. */
    public VersionedSerializerSnapshot() {}

    /** For the class names earlier builds wrote, whose snapshots do not name their format's class. */
    protected VersionedSerializerSnapshot(VersionedFormat<T> type) {
        this.type = type;
    }

    VersionedSerializerSnapshot(VersionedFormat<T> type, int format) {
        this.type = type;
        this.format = format;
    }

    /** The format of the state this snapshot describes. */
    public int format() {
        return format;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeUTF(type.getClass().getName());
        out.writeInt(format);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion >= VERSION) {
            type = instantiate(in.readUTF(), classLoader);
            format = in.readInt();
            return;
        }
        if (type == null) {
            throw new IOException("a serializer snapshot of version " + readVersion + " does not name its type;"
                    + " it can only be read under the class name that wrote it");
        }
        format = readVersion < FORMAT_ALONE ? RELEASE_0_1_FORMAT : in.readInt();
    }

    @SuppressWarnings("unchecked")
    private static <T> VersionedFormat<T> instantiate(String className, ClassLoader classLoader) throws IOException {
        try {
            return InstantiationUtil.instantiate(
                    Class.forName(className, true, classLoader).asSubclass(VersionedFormat.class));
        } catch (ClassNotFoundException | RuntimeException e) {
            throw new IOException("the state's format " + className + " is not in this build: restore with a build"
                    + " that has it", e);
        }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        if (!type.reads(format)) {
            throw new IllegalStateException(type.describe(format) + " cannot be read by this build, which reads "
                    + type.readable() + "; restore with the build that wrote it, or one that migrates it.");
        }
        return type.serializer(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        if (!(oldSnapshot instanceof VersionedSerializerSnapshot<T> old) || !old.type.equals(type)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.format == format) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        if (old.format < format && type.reads(old.format)) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
