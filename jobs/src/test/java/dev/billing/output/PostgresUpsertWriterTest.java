package dev.billing.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.embedded.LocalPostgres;
import dev.billing.embedded.PrivatePostgres;
import dev.billing.it.PipelineFixture;
import dev.billing.serde.UsageHourlyRowFormat;
import java.nio.file.Path;
import java.util.Collection;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import dev.billing.job.Migrations;
import dev.billing.model.AccountBalanceRow;
import dev.billing.ledger.UsageHourlyRow;
import dev.billing.ledger.UsageRollup;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's writer against the real PostgreSQL: its own thread writes, so the tests await what
 * PostgreSQL holds; {@code flush(true)} (the end of the input) waits until every row is written.
 * An outage is a private PostgreSQL stopped for real ({@link PrivatePostgres}).
 */
class PostgresUpsertWriterTest {
    private static final long HOUR = Instant.parse("2026-11-29T10:00:00Z").toEpochMilli();
    private static final String APP = "upsert-writer-test";
    private static LocalPostgres postgres;

    static {
        // pgjdbc asserts that a batch on a connection the server just closed "should not throw" when
        // it asks for autocommit; with -ea (as tests run) that is an AssertionError instead of the
        // SQLException a TaskManager (no -ea) gets. The test must see what production sees.
        PostgresUpsertWriterTest.class.getClassLoader().setPackageAssertionStatus("org.postgresql", false);
    }

    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(200));
    private final List<PostgresUpsertWriter<?>> writers = new ArrayList<>();
    /** The writer's URL, named so its connections can be found; the test's own queries use {@link #plainUrl}. */
    private String url;
    private String plainUrl;

    @BeforeAll
    static void locate() {
        postgres = LocalPostgres.locate(System.out::println);
    }

    @AfterAll
    static void close() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void freshSchema() throws Exception {
        plainUrl = postgres.freshSchema("upsert_writer_test");
        url = plainUrl + "&ApplicationName=" + APP;
        Migrations.apply(plainUrl, postgres.user, postgres.password);
    }

    @AfterEach
    void closeWriters() throws InterruptedException {
        for (PostgresUpsertWriter<?> w : writers) {
            w.close();
        }
    }

    @Test
    void keepsTheLastRowPerKeyAndWritesWhenTheBatchIsFull() throws Exception {
        var writer = usageWriter(3, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.10"), null);
        writer.write(usage("b", "m", 1, "0.20"), null);
        writer.write(usage("a", "m", 2, "0.30"), null); // a newer total of a's row: still two keys
        assertThat(writer.held()).isEqualTo(2);
        assertThat(usageTable()).isEmpty();

        writer.write(usage("c", "m", 5, "1.000000000000000001"), null); // the third key fills the batch
        PipelineFixture.awaitEqual("the full batch", () -> Map.of(
                "a|m", "2|0.300000000000000000",
                "b|m", "1|0.200000000000000000",
                "c|m", "5|1.000000000000000001"), this::usageTable);
        PipelineFixture.awaitTrue("nothing held", () -> writer.held() == 0);
    }

    @Test
    void writesAPartialBatchWhenTheIntervalHasPassedAndWhenACheckpointAsks() throws Exception {
        var timed = usageWriter(500, Duration.ofMillis(200));
        timed.write(usage("a", "m", 1, "0.10"), null);
        PipelineFixture.awaitEqual("the row, once the interval has passed", () -> Set.of("a|m"), () -> usageTable().keySet());

        var untimed = usageWriter(500, Duration.ofHours(1));
        untimed.write(usage("b", "m", 1, "0.10"), null);
        untimed.flush(false); // what the sink operator calls before each checkpoint: it asks, it does not wait
        PipelineFixture.awaitEqual("the row a checkpoint asked for", () -> Set.of("a|m", "b|m"), () -> usageTable().keySet());
    }

    @Test
    void aRowPostgresRefusesIsQuarantinedAndEveryOtherRowIsWritten() throws Exception {
        execute("ALTER TABLE usage_hourly ADD CONSTRAINT no_bad CHECK (account_id NOT LIKE 'bad%')");
        var writer = usageWriter(100, Duration.ofHours(1));
        for (int i = 0; i < 40; i++) {
            writer.write(usage((i == 7 || i == 30 ? "bad-" : "ok-") + i, "m", i + 1, "0.25"), null);
        }
        writer.flush(true);

        Map<String, String> written = usageTable();
        assertThat(written).hasSize(38).doesNotContainKeys("bad-7|m", "bad-30|m").containsEntry("ok-39|m", "40|0.250000000000000000");
        List<String> quarantined = query("SELECT table_name, row_key->>'account_id', row_key->>'hour', sqlstate, count,"
                + " row_data->>'cost_usd', row_data->>'requests' FROM billing_quarantine ORDER BY 2");
        assertThat(quarantined).containsExactly(
                "usage_hourly|bad-30|2026-11-29T10:00:00Z|23514|1|0.250000000000000000|31",
                "usage_hourly|bad-7|2026-11-29T10:00:00Z|23514|1|0.250000000000000000|8");
        assertThat(query("SELECT message FROM billing_quarantine").get(0)).contains("no_bad");
        assertThat(writer.quarantinedRows.getCount()).isEqualTo(2);
        assertThat(writer.writeFailures.getCount()).isZero();

        // refused again: one quarantine row per key, counting
        writer.write(usage("bad-7", "m", 9, "0.50"), null);
        writer.flush(true);
        assertThat(query("SELECT count, row_data->>'requests' FROM billing_quarantine WHERE row_key->>'account_id' = 'bad-7'"))
                .containsExactly("2|9");

        // the operator fixes the cause: the next write of the key repairs the table
        execute("ALTER TABLE usage_hourly DROP CONSTRAINT no_bad");
        writer.write(usage("bad-7", "m", 10, "0.75"), null);
        writer.flush(true);
        assertThat(usageTable()).containsEntry("bad-7|m", "10|0.750000000000000000");
    }

    @Test
    void aTriggersRaiseQuarantinesTheBalanceRow() throws Exception {
        execute("CREATE FUNCTION refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.account_id = 'frozen' THEN RAISE EXCEPTION 'account % is frozen', NEW.account_id; END IF;"
                + " RETURN NEW; END $$");
        execute("CREATE TRIGGER refuse_frozen BEFORE INSERT OR UPDATE ON account_balance"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_frozen()");
        var writer = writer(PostgresSinks.ACCOUNT_BALANCE, 10, Duration.ofHours(1));
        writer.write(balance("frozen", "5.00", "1.25"), null);
        writer.write(balance("warm", "5.00", "1.25"), null);
        writer.flush(true);

        assertThat(query("SELECT account_id, balance_usd FROM account_balance")).containsExactly("warm|3.750000000000000000");
        assertThat(query("SELECT row_key->>'account_id', sqlstate, row_data->>'credits_usd' FROM billing_quarantine"))
                .containsExactly("frozen|P0001|5.000000000000000000");
        assertThat(query("SELECT message FROM billing_quarantine").get(0)).startsWith("ERROR: account frozen is frozen");
    }

    @Test
    void aRowTheBinderCannotExpressIsTheRowsFault() throws Exception {
        var writer = usageWriter(10, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.0000000000000000001"), null); // 19 decimals: numeric(38,18) would round
        writer.write(usage("b", "m", 1, "0.10"), null);
        writer.flush(true);
        assertThat(usageTable()).containsOnlyKeys("b|m");
        assertThat(query("SELECT row_key->>'account_id', sqlstate FROM billing_quarantine")).containsExactly("a|22000");
        assertThat(query("SELECT row_data->>'cost_usd' FROM billing_quarantine").get(0))
                .startsWith("cannot be written: ");
    }

    @Test
    void whenEvenTheQuarantineRefusesTheRowItIsCountedAndBillingGoesOn() throws Exception {
        execute("ALTER TABLE usage_hourly ADD CONSTRAINT no_bad CHECK (account_id NOT LIKE 'bad%')");
        execute("ALTER TABLE billing_quarantine ADD CONSTRAINT refuse_all CHECK (count < 0) NOT VALID");
        var writer = usageWriter(10, Duration.ofHours(1));
        writer.write(usage("bad", "m", 1, "0.10"), null);
        writer.write(usage("ok", "m", 1, "0.10"), null);
        writer.flush(true);
        assertThat(usageTable()).containsOnlyKeys("ok|m");
        assertThat(writer.quarantinedRows.getCount()).isEqualTo(1);
        assertThat(writer.quarantineFailures.getCount()).isEqualTo(1);
        assertThat(query("SELECT count(*) FROM billing_quarantine")).containsExactly("0");
    }

    @Test
    void aLostConnectionIsRetriedOnANewOne() throws Exception {
        var writer = usageWriter(10, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.10"), null);
        writer.flush(true);
        assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APP + "'")).containsExactly("1");
        execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + APP + "'");

        writer.write(usage("b", "m", 1, "0.10"), null);
        writer.flush(true);
        assertThat(usageTable()).containsOnlyKeys("a|m", "b|m");
        assertThat(writer.connectionRetries.getCount()).isEqualTo(1);
        assertThat(writer.quarantinedRows.getCount()).isZero();
    }

    @Test
    void rowsAreHeldWhilePostgresRefusesConnectionsAndWrittenWhenItIsBack() throws Exception {
        try (PrivatePostgres own = PrivatePostgres.start(Path.of("target", "writer-test-postgres").toAbsolutePath())) {
            String ownUrl = own.jdbcUrl("postgres");
            Migrations.apply(ownUrl, "postgres", "");
            own.stop();

            var writer = writer(PostgresSinks.USAGE_HOURLY, ownUrl, 10, Duration.ofMillis(50), List.of());
            long started = System.nanoTime();
            for (int i = 0; i < 25; i++) {
                writer.write(usage("a" + (i % 5), "m", i + 1, BigDecimal.valueOf(i + 1, 2).toPlainString()), null); // five keys, each rewritten
            }
            writer.flush(false);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the task's thread never waits for PostgreSQL")
                    .isLessThan(Duration.ofSeconds(2));
            PipelineFixture.awaitTrue("failed attempts", () -> writer.writeFailures.getCount() >= 3);
            assertThat(writer.held()).as("the last row of each key").isEqualTo(5);
            assertThat(writer.connectionRetries.getCount()).isEqualTo(writer.writeFailures.getCount());
            assertThat(writer.quarantinedRows.getCount()).isZero();

            own.start();
            PipelineFixture.awaitEqual("every key's last row, once PostgreSQL is back", () -> Map.of(
                    "a0|m", "21|0.210000000000000000", "a1|m", "22|0.220000000000000000",
                    "a2|m", "23|0.230000000000000000", "a3|m", "24|0.240000000000000000",
                    "a4|m", "25|0.250000000000000000"), () -> usageTable(ownUrl));
            PipelineFixture.awaitTrue("nothing held", () -> writer.held() == 0);
        }
    }

    @Test
    void aCheckpointKeepsTheRowsOwedAndARestoredWriterWritesThem() throws Exception {
        try (PrivatePostgres own = PrivatePostgres.start(Path.of("target", "writer-test-postgres").toAbsolutePath())) {
            String ownUrl = own.jdbcUrl("postgres");
            Migrations.apply(ownUrl, "postgres", "");
            own.stop();

            var writer = writer(PostgresSinks.USAGE_HOURLY, ownUrl, 10, Duration.ofMillis(50), List.of());
            writer.write(usage("a", "m", 3, "0.30"), null);
            writer.write(usage("b", "m", 4, "1.000000000000000001"), null);
            PipelineFixture.awaitTrue("a failed attempt, the rows in flight and back", () -> writer.writeFailures.getCount() >= 1);
            List<byte[]> checkpoint = serialized(writer.snapshotState(1));
            assertThat(checkpoint).hasSize(2);
            writer.close();
            writers.remove(writer);

            own.start();
            var restored = writer(PostgresSinks.USAGE_HOURLY, ownUrl, 10, Duration.ofMillis(50), deserialized(checkpoint));
            PipelineFixture.awaitEqual("the rows the checkpoint owed", () -> Map.of(
                    "a|m", "3|0.300000000000000000", "b|m", "4|1.000000000000000001"), () -> usageTable(ownUrl));
            PipelineFixture.awaitTrue("nothing held", () -> restored.held() == 0);
        }
    }

    @Test
    void anOlderRowRetriedAfterANewerOneWasWrittenChangesNothing() throws Exception {
        var writer = usageWriter(10, Duration.ofMillis(50));
        UsageHourlyRow newer = usage("a", "m", 7, "0.70");
        newer.version = 7;
        writer.write(newer, null);
        writer.flush(true);

        // a writer restored from an older checkpoint still owes version 3 of the same key
        UsageHourlyRow older = usage("a", "m", 3, "0.30");
        older.version = 3;
        var restored = writer(PostgresSinks.USAGE_HOURLY, url, 10, Duration.ofMillis(50), List.of(older));
        restored.flush(true);
        assertThat(restored.held()).isZero();
        assertThat(usageTable()).containsExactly(Map.entry("a|m", "7|0.700000000000000000"));
    }

    @Test
    void aLockedTableDelaysTheRowsNeverTheTask() throws Exception {
        var target = new PostgresSinks.Target(url, postgres.user, postgres.password, 10, Duration.ofMillis(50),
                Duration.ofMillis(500), Duration.ofMinutes(1));
        var writer = new PostgresUpsertWriter<>(PostgresSinks.USAGE_HOURLY, target, FAST, new UnregisteredMetricsGroup(),
                null, List.of(), "test writer");
        writers.add(writer);
        try (Connection lock = DriverManager.getConnection(plainUrl, postgres.user, postgres.password);
                Statement s = lock.createStatement()) {
            lock.setAutoCommit(false);
            s.execute("LOCK TABLE usage_hourly IN EXCLUSIVE MODE");
            long started = System.nanoTime();
            writer.write(usage("a", "m", 1, "0.10"), null);
            writer.flush(false);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
            PipelineFixture.awaitTrue("writes that gave up on the lock", () -> writer.writeFailures.getCount() >= 2);
            assertThat(writer.held()).isEqualTo(1);
            lock.rollback();
        }
        PipelineFixture.awaitEqual("the row, once the lock is gone", () -> Map.of("a|m", "1|0.100000000000000000"),
                this::usageTable);
    }

    @Test
    void aFaultOfTheSchemaHoldsTheRowsInsteadOfQuarantiningThem() throws Exception {
        execute("ALTER TABLE usage_hourly RENAME TO usage_hourly_away"); // 42P01: the deployment's fault, not a row's
        var writer = usageWriter(10, Duration.ofMillis(50));
        writer.write(usage("a", "m", 1, "0.10"), null);
        PipelineFixture.awaitTrue("failed attempts", () -> writer.writeFailures.getCount() >= 2);
        assertThat(writer.quarantinedRows.getCount()).isZero();
        assertThat(writer.held()).isEqualTo(1);

        execute("ALTER TABLE usage_hourly_away RENAME TO usage_hourly");
        writer.flush(true);
        assertThat(usageTable()).containsExactly(Map.entry("a|m", "1|0.100000000000000000"));
    }

    @Test
    void theEndOfTheInputFailsWhenPostgresTakesNothingForTheDrainTimeout() throws Exception {
        var target = new PostgresSinks.Target("jdbc:postgresql://127.0.0.1:1/none", "postgres", "", 10,
                Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(1));
        var writer = new PostgresUpsertWriter<>(PostgresSinks.USAGE_HOURLY, target, FAST, new UnregisteredMetricsGroup(),
                null, List.of(), "test writer");
        writers.add(writer);
        writer.write(usage("a", "m", 1, "0.10"), null);
        assertThatThrownBy(() -> writer.flush(true)).isInstanceOf(IOException.class)
                .hasMessageContaining("1 usage_hourly rows could not be written");
    }

    private static List<byte[]> serialized(List<UsageHourlyRow> rows) throws IOException {
        SimpleVersionedSerializer<UsageHourlyRow> s = PostgresSinks.usageHourly(null).getWriterStateSerializer();
        List<byte[]> out = new ArrayList<>();
        for (UsageHourlyRow row : rows) {
            out.add(s.serialize(row));
        }
        return out;
    }

    private static List<UsageHourlyRow> deserialized(List<byte[]> state) throws IOException {
        SimpleVersionedSerializer<UsageHourlyRow> s = PostgresSinks.usageHourly(null).getWriterStateSerializer();
        List<UsageHourlyRow> out = new ArrayList<>();
        for (byte[] bytes : state) {
            out.add(s.deserialize(UsageHourlyRowFormat.INSTANCE.current(), bytes));
        }
        return out;
    }

    private PostgresUpsertWriter<UsageHourlyRow> usageWriter(int batchSize, Duration interval) {
        return writer(PostgresSinks.USAGE_HOURLY, batchSize, interval);
    }

    private <T> PostgresUpsertWriter<T> writer(UpsertTable<T> table, int batchSize, Duration interval) {
        return writer(table, url, batchSize, interval, List.of());
    }

    private <T> PostgresUpsertWriter<T> writer(UpsertTable<T> table, String jdbcUrl, int batchSize, Duration interval,
            Collection<T> owed) {
        var target = new PostgresSinks.Target(jdbcUrl, postgres.user, postgres.password, batchSize, interval);
        var writer = new PostgresUpsertWriter<>(table, target, FAST, new UnregisteredMetricsGroup(), null, owed, "test writer");
        writers.add(writer);
        return writer;
    }

    private static UsageHourlyRow usage(String account, String model, long requests, String cost) {
        UsageHourlyRow row = new UsageHourlyRow();
        row.totals = new UsageRollup();
        row.accountId = account;
        row.totals.model = model;
        row.totals.hourStartMs = HOUR;
        row.totals.requests = requests;
        row.totals.promptTokens = requests * 10;
        row.totals.completionTokens = requests;
        row.totals.costUsd = new BigDecimal(cost);
        row.totals.listCostUsd = new BigDecimal(cost);
        return row;
    }

    private static AccountBalanceRow balance(String account, String credits, String spend) {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = account;
        row.creditsUsd = new BigDecimal(credits);
        row.spendUsd = new BigDecimal(spend);
        row.balanceUsd = row.creditsUsd.subtract(row.spendUsd);
        row.status = "ACTIVE";
        row.monthSpendUsd = row.spendUsd;
        row.updatedAtMs = HOUR;
        return row;
    }

    /** usage_hourly as "account|model" -> "requests|cost_usd". */
    private Map<String, String> usageTable() throws SQLException {
        return usageTable(plainUrl);
    }

    private Map<String, String> usageTable(String jdbcUrl) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        for (String line : query(jdbcUrl, "SELECT account_id || '|' || model, requests || '|' || cost_usd FROM usage_hourly")) {
            String[] parts = line.split("\\|", 3);
            out.put(parts[0] + "|" + parts[1], parts[2]);
        }
        return out;
    }

    private List<String> query(String sql) throws SQLException {
        return query(plainUrl, sql);
    }

    private List<String> query(String jdbcUrl, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, postgres.user, postgres.password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i));
                }
                out.add(String.join("|", cells));
            }
        }
        return out;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(plainUrl, postgres.user, postgres.password);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
