package dev.billing.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed fixture of every format is read by this build: its snapshot is compatible (as
 * is, or after migration), the old serializer reads the old bytes to the value that format holds,
 * and where the format is the current one the current serializer writes exactly those bytes. So a
 * serializer changed without a new format fails here, as does a new format without its fixture.
 */
class GoldenBytesTest {

    @TestFactory
    Stream<DynamicTest> everyFixtureOfEveryFormatIsReadByThisBuild() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenFixtures.Fixture<?> f : GoldenFixtures.ALL) {
            tests.add(DynamicTest.dynamicTest(f.name() + ": the current format has a fixture", () -> assertThat(
                    f.bytes(f.currentFormat())).as("run GoldenFixtures.main to write the new format's fixture").exists()));
            for (int format = 1; format <= f.currentFormat(); format++) {
                if (Files.exists(f.bytes(format))) {
                    int fmt = format;
                    tests.add(DynamicTest.dynamicTest(f.name() + " format " + format, () -> check(f, fmt, f.snapshot(fmt))));
                    for (Path earlier : earlierSnapshots(f, format)) {
                        tests.add(DynamicTest.dynamicTest(f.name() + " format " + format + " as " + earlier.getFileName(),
                                () -> check(f, fmt, earlier)));
                    }
                }
            }
        }
        return tests.stream();
    }

    /** The same for the rows the upsert sinks keep in their writer state: the bytes of each format, read by this build. */
    @TestFactory
    Stream<DynamicTest> everyFixtureOfEverySinkRowFormatIsReadByThisBuild() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenFixtures.RowFixture<?> f : GoldenFixtures.ROWS) {
            tests.add(DynamicTest.dynamicTest(f.name() + ": the current format has a fixture", () -> assertThat(
                    f.bytes(f.format().current())).as("run GoldenFixtures.main to write the new format's fixture").exists()));
            for (int format = 1; format <= f.format().current(); format++) {
                if (Files.exists(f.bytes(format))) {
                    int fmt = format;
                    tests.add(DynamicTest.dynamicTest(f.name() + " format " + format, () -> check(f, fmt)));
                }
            }
        }
        return tests.stream();
    }

    private static <T> void check(GoldenFixtures.RowFixture<T> f, int format) throws Exception {
        byte[] golden = Files.readAllBytes(f.bytes(format));
        assertThat(f.format().reads(format)).as("%s format %d must stay readable", f.name(), format).isTrue();
        T expected = f.value().apply(format);
        assertThat(f.serializer().deserialize(format, golden))
                .as("%s format %d read back as the value that format holds", f.name(), format)
                .usingRecursiveComparison().isEqualTo(expected);
        if (format == f.format().current()) {
            assertThat(f.serializer().serialize(expected))
                    .as("%s: the serializer writes other bytes than format %d without a new format", f.name(), format)
                    .isEqualTo(golden);
        }
    }

    /**
     * The snapshots earlier builds wrote for a format, as their savepoints hold them: {@code
     * format-1.release-0.1.snapshot} by release 0.1's own snapshot classes, {@code
     * format-<n>.snapshot-version-4.snapshot} by the builds before the snapshot named its format's class.
     */
    private static List<Path> earlierSnapshots(GoldenFixtures.Fixture<?> f, int format) throws Exception {
        String prefix = "format-" + format + ".";
        try (Stream<Path> files = Files.list(f.bytes(format).getParent())) {
            return files.map(Path::getFileName).map(Path::toString)
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".snapshot") && !n.equals(prefix + "snapshot"))
                    .sorted().map(n -> f.bytes(format).resolveSibling(n)).toList();
        }
    }

    private static <T> void check(GoldenFixtures.Fixture<T> f, int format, Path snapshot) throws Exception {
        TypeSerializer<T> current = f.serializer();
        TypeSerializerSnapshot<T> old = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(Files.readAllBytes(snapshot)), GoldenBytesTest.class.getClassLoader());
        TypeSerializerSchemaCompatibility<T> compatibility =
                current.snapshotConfiguration().resolveSchemaCompatibility(old);
        assertThat(compatibility.isIncompatible()).as("%s format %d must stay readable", f.name(), format).isFalse();

        byte[] golden = Files.readAllBytes(f.bytes(format));
        DataInputDeserializer in = new DataInputDeserializer(golden);
        T read = old.restoreSerializer().deserialize(in);
        assertThat(in.available()).as("bytes left after reading %s format %d", f.name(), format).isZero();
        T expected = f.value().apply(format);
        // field by field: a comparison of bytes written again would miss two fields read in swapped order
        assertThat(read).as("%s format %d read back as the value that format holds", f.name(), format)
                .usingRecursiveComparison().isEqualTo(expected);
        if (compatibility.isCompatibleAsIs()) {
            assertThat(GoldenFixtures.serialize(current, expected))
                    .as("%s: the serializer writes other bytes than format %d without a new format", f.name(), format)
                    .isEqualTo(golden);
        }
    }
}
