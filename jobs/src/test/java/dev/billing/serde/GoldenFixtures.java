package dev.billing.serde;

import dev.billing.ledger.AccountState;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.StateSamples;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.LedgerInput;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The golden-bytes fixtures: for every type the job keeps in state or sends between tasks, a value
 * and the bytes each format wrote for it, with the serializer snapshot this build writes of that
 * format, committed under {@code src/test/resources/golden/<type>/format-<n>.{bytes,snapshot}};
 * beside them the snapshots earlier builds wrote ({@code format-<n>.<which builds>.snapshot}).
 *
 * <p>The rows the upsert sinks hold in their writer state have fixtures of their own ({@link #ROWS}):
 * bytes only, under {@code golden/<row>/format-<n>.bytes}.
 *
 * <p>A new format (see {@link VersionedFormat}) adds its fixture: give {@code value}
 * the new fields' values for the new format and their defaults for the older ones, then run
 * this class's {@code main} from the {@code jobs} folder with the test classpath (docs/operating.md, "Upgrades never lose a balance"),
 * which writes the fixtures of the current formats that are missing and never overwrites one.
 */
public final class GoldenFixtures {
    static final Path DIR = Path.of("src/test/resources/golden");

    /**
     * @param name the fixture's folder
     * @param type the class, whose {@code TypeInformation} gives the current serializer
     * @param value the value as a build that reads {@code format} sees the bytes that format wrote
     */
    record Fixture<T>(String name, Class<T> type, IntFunction<T> value) {
        TypeSerializer<T> serializer() {
            SerializerConfigImpl config = new SerializerConfigImpl();
            config.setGenericTypes(false);
            return TypeInformation.of(type).createSerializer(config);
        }

        /** The format the current build writes: the snapshot's for ours, 1 for Flink's own serializers. */
        int currentFormat() {
            return serializer().snapshotConfiguration() instanceof VersionedSerializerSnapshot<T> v ? v.format() : 1;
        }

        Path bytes(int format) {
            return DIR.resolve(name).resolve("format-" + format + ".bytes");
        }

        Path snapshot(int format) {
            return DIR.resolve(name).resolve("format-" + format + ".snapshot");
        }
    }

    static final List<Fixture<?>> ALL = List.of(
            new Fixture<>("account-state", AccountState.class,
                    format -> format >= 3 ? StateSamples.fullWithUsagePosition()
                            : format == 2 ? StateSamples.fullWithAutoTopUp() : StateSamples.full()),
            new Fixture<>("month-spend", MonthSpend.class, format -> StateSamples.monthSpend()),
            new Fixture<>("usage-rollup", UsageRollup.class, format -> StateSamples.rollup()),
            new Fixture<>("ledger-input-usage", LedgerInput.class, format -> usageInput()),
            new Fixture<>("ledger-input-event", LedgerInput.class, format -> eventInput(format)),
            new Fixture<>("rate-card", RateCard.class, format -> new RateCard("deepseek-v3",
                    new BigDecimal("0.200001"), new BigDecimal("0.199999"), 1_764_000_000_000L, "acct-007")));

    /**
     * A row an upsert sink holds in its writer state while PostgreSQL is behind: Flink stores each
     * with its format number ({@link FormatStateSerializer}), so its bytes are a fixture as a
     * state type's are, without a serializer snapshot.
     *
     * @param value the row as a build that reads {@code format} sees the bytes that format wrote
     */
    record RowFixture<T>(String name, VersionedFormat<T> format, IntFunction<T> value) {
        FormatStateSerializer<T> serializer() {
            return new FormatStateSerializer<>(format);
        }

        Path bytes(int n) {
            return DIR.resolve(name).resolve("format-" + n + ".bytes");
        }
    }

    static final List<RowFixture<?>> ROWS = List.of(
            new RowFixture<>("account-balance-row", AccountBalanceRowFormat.INSTANCE, format -> RowSamples.balanceRow()),
            new RowFixture<>("usage-hourly-row", UsageHourlyRowFormat.INSTANCE, format -> RowSamples.hourlyRow()));

    private GoldenFixtures() {}

    static LedgerInput usageInput() {
        UsageRecord u = new UsageRecord("req-1", "acct-ü", "llama-3.3-70b", 120, 3_700, 1_764_000_000_123L);
        u.nodeId = "node-7";
        u.source = new SourceRecord("usage-records", 3, 1_234_567_890_123L, 1_764_000_000_200L,
                "acct-ü".getBytes(StandardCharsets.UTF_8), "{\"request_id\":\"req-1\"}".getBytes(StandardCharsets.UTF_8));
        return LedgerInput.of(u);
    }

    /** Format 2 added the event's below_usd. */
    static LedgerInput eventInput(int format) {
        AccountEvent e = new AccountEvent("ev-1", "acct-1", AccountEventType.LIMITS_SET, 1_764_000_000_000L);
        e.monthlyHardLimitUsd = new BigDecimal("100.00");
        e.alertThresholdsUsd = new BigDecimal[] {new BigDecimal("10"), new BigDecimal("50.000000")};
        e.discountAboveUsd = new BigDecimal[] {new BigDecimal("100")};
        e.discountPercent = new BigDecimal[] {new BigDecimal("12.5")};
        e.belowUsd = format >= 2 ? new BigDecimal("2.50") : null;
        e.source = new SourceRecord("account-events", 0, 9, 10, null, new byte[] {1, 2});
        return LedgerInput.of(e);
    }

    static <T> byte[] serialize(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    static byte[] snapshot(TypeSerializer<?> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        return out.getCopyOfBuffer();
    }

    /** Writes the missing fixtures of the current formats; run from the {@code jobs} module's folder. */
    public static void main(String[] args) throws IOException {
        for (Fixture<?> f : ALL) {
            write(f);
        }
        for (RowFixture<?> f : ROWS) {
            write(f);
        }
    }

    private static <T> void write(RowFixture<T> f) throws IOException {
        Path bytes = f.bytes(f.format().current());
        if (Files.exists(bytes)) {
            System.out.println("kept    " + bytes);
        } else {
            Files.createDirectories(bytes.getParent());
            Files.write(bytes, f.serializer().serialize(f.value().apply(f.format().current())));
            System.out.println("written " + bytes);
        }
    }

    private static <T> void write(Fixture<T> f) throws IOException {
        int format = f.currentFormat();
        TypeSerializer<T> serializer = f.serializer();
        if (Files.exists(f.bytes(format))) {
            System.out.println("kept    " + f.bytes(format));
        } else {
            Files.createDirectories(f.bytes(format).getParent());
            Files.write(f.bytes(format), serialize(serializer, f.value().apply(format)));
            System.out.println("written " + f.bytes(format));
        }
        // the snapshot this build writes of each format it reads (an older one: state not yet migrated)
        for (int older = 1; older <= format; older++) {
            if (Files.exists(f.bytes(older)) && !Files.exists(f.snapshot(older))) {
                Files.write(f.snapshot(older), snapshot(serializer instanceof VersionedSerializer<T> v
                        ? v.type().serializer(older) : serializer));
                System.out.println("written " + f.snapshot(older));
            }
        }
    }
}
