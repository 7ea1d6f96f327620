package dev.billing.convert;

import dev.billing.ledger.AccountState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Reads release 0.1's {@code account} values ({@link Release01Account#read}) for the conversion, and
 * nothing else: it never writes one, so no state is ever written in that layout again.
 *
 * <p>Release 0.1 recorded its values under the snapshot that this build reads as
 * {@code AccountState} format 1 (the same class name, and no format number), so its snapshot
 * accepts that one as is and refuses every other. The builds after release 0.1 that wrote format 1
 * used the same class name too; their state is told apart by its {@code seen-ids} before a
 * conversion starts ({@code LedgerStateEra}), and never read with this layout.
 */
public final class Release01AccountSerializer extends TypeSerializer<Release01Account> {
    private static final long serialVersionUID = 1L;
    static final Release01AccountSerializer INSTANCE = new Release01AccountSerializer();

    @Override
    public Release01Account deserialize(DataInputView in) throws IOException {
        return Release01Account.read(in);
    }

    @Override
    public Release01Account deserialize(Release01Account reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void serialize(Release01Account value, DataOutputView out) {
        throw new UnsupportedOperationException("release 0.1's account layout is only read, to convert it");
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) {
        throw new UnsupportedOperationException("release 0.1's account layout is only read, to convert it");
    }

    @Override
    public Release01Account copy(Release01Account from) {
        return from; // read once per account and never changed in place
    }

    @Override
    public Release01Account copy(Release01Account from, Release01Account reuse) {
        return from;
    }

    @Override
    public Release01Account createInstance() {
        return null;
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<Release01Account> duplicate() {
        return this;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Release01AccountSerializer;
    }

    @Override
    public int hashCode() {
        return Release01AccountSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Release01Account> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Never written to a savepoint (the conversion only reads); it resolves release 0.1's snapshot. */
    public static final class Snapshot implements TypeSerializerSnapshot<Release01Account> {
        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {}

        @Override
        public TypeSerializer<Release01Account> restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<Release01Account> resolveSchemaCompatibility(
                TypeSerializerSnapshot<Release01Account> oldSnapshot) {
            Object old = oldSnapshot;
            // the class name release 0.1 wrote, read (with no format number) as format 1
            boolean release01 = old instanceof dev.billing.ledger.AccountStateSerializer.Snapshot s && s.format() == 1;
            return release01 ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
