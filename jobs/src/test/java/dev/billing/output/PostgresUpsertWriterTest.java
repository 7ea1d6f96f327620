package dev.billing.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.embedded.LocalPostgres;
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
import java.util.TreeMap;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sink's writer against the real PostgreSQL, its batch timer on a manual clock. */
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

    private final TestProcessingTimeService clock = new TestProcessingTimeService();
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
        clock.setCurrentTime(0);
    }

    @AfterEach
    void closeWriters() {
        writers.forEach(PostgresUpsertWriter::close);
    }

    @Test
    void keepsTheLastRowPerKeyAndWritesWhenTheBatchIsFull() throws Exception {
        var writer = usageWriter(3, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.10"), null);
        writer.write(usage("b", "m", 1, "0.20"), null);
        writer.write(usage("a", "m", 2, "0.30"), null); // a newer total of a's row: still two keys
        assertThat(writer.buffered()).isEqualTo(2);
        assertThat(usageTable()).isEmpty();

        writer.write(usage("c", "m", 5, "1.000000000000000001"), null); // the third key fills the batch
        assertThat(usageTable()).containsExactly(
                Map.entry("a|m", "2|0.300000000000000000"),
                Map.entry("b|m", "1|0.200000000000000000"),
                Map.entry("c|m", "5|1.000000000000000001"));
        assertThat(writer.buffered()).isZero();
    }

    @Test
    void writesAPartialBatchWhenTheIntervalHasPassedAndBeforeACheckpoint() throws Exception {
        var writer = usageWriter(500, Duration.ofMillis(200));
        writer.write(usage("a", "m", 1, "0.10"), null);
        clock.setCurrentTime(199);
        assertThat(usageTable()).isEmpty();
        clock.setCurrentTime(200);
        assertThat(usageTable()).containsOnlyKeys("a|m");

        writer.write(usage("b", "m", 1, "0.10"), null);
        writer.flush(false); // what the sink operator calls before each checkpoint
        assertThat(usageTable()).containsOnlyKeys("a|m", "b|m");
    }

    @Test
    void aRowPostgresRefusesIsQuarantinedAndEveryOtherRowIsWritten() throws Exception {
        execute("ALTER TABLE usage_hourly ADD CONSTRAINT no_bad CHECK (account_id NOT LIKE 'bad%')");
        var writer = usageWriter(100, Duration.ofHours(1));
        for (int i = 0; i < 40; i++) {
            writer.write(usage((i == 7 || i == 30 ? "bad-" : "ok-") + i, "m", i + 1, "0.25"), null);
        }
        writer.flush(false);

        Map<String, String> written = usageTable();
        assertThat(written).hasSize(38).doesNotContainKeys("bad-7|m", "bad-30|m").containsEntry("ok-39|m", "40|0.250000000000000000");
        List<String> quarantined = query("SELECT table_name, row_key->>'account_id', row_key->>'hour', sqlstate, count,"
                + " row_data->>'cost_usd', row_data->>'requests' FROM billing_quarantine ORDER BY 2");
        assertThat(quarantined).containsExactly(
                "usage_hourly|bad-30|2026-11-29T10:00:00Z|23514|1|0.250000000000000000|31",
                "usage_hourly|bad-7|2026-11-29T10:00:00Z|23514|1|0.250000000000000000|8");
        assertThat(query("SELECT message FROM billing_quarantine").get(0)).contains("no_bad");
        assertThat(writer.quarantinedRows.getCount()).isEqualTo(2);

        // refused again: one quarantine row per key, counting
        writer.write(usage("bad-7", "m", 9, "0.50"), null);
        writer.flush(false);
        assertThat(query("SELECT count, row_data->>'requests' FROM billing_quarantine WHERE row_key->>'account_id' = 'bad-7'"))
                .containsExactly("2|9");

        // the operator fixes the cause: the next write of the key repairs the table
        execute("ALTER TABLE usage_hourly DROP CONSTRAINT no_bad");
        writer.write(usage("bad-7", "m", 10, "0.75"), null);
        writer.flush(false);
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
        writer.flush(false);

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
        writer.flush(false);
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
        writer.flush(false);
        assertThat(usageTable()).containsOnlyKeys("ok|m");
        assertThat(writer.quarantinedRows.getCount()).isEqualTo(1);
        assertThat(writer.quarantineFailures.getCount()).isEqualTo(1);
        assertThat(query("SELECT count(*) FROM billing_quarantine")).containsExactly("0");
    }

    @Test
    void aLostConnectionIsRetriedOnANewOne() throws Exception {
        var writer = usageWriter(10, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.10"), null);
        writer.flush(false);
        assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APP + "'")).containsExactly("1");
        execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + APP + "'");

        writer.write(usage("b", "m", 1, "0.10"), null);
        writer.flush(false);
        assertThat(usageTable()).containsOnlyKeys("a|m", "b|m");
        assertThat(writer.connectionRetries.getCount()).isEqualTo(1);
        assertThat(writer.quarantinedRows.getCount()).isZero();
    }

    @Test
    void anUnreachableDatabaseFailsTheTaskAfterBoundedRetries() throws Exception {
        var target = new PostgresSinks.Target("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "postgres", "", 10,
                Duration.ofHours(1));
        var writer = new PostgresUpsertWriter<>(PostgresSinks.USAGE_HOURLY, target,
                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)), clock, new UnregisteredMetricsGroup(), null);
        writers.add(writer);
        writer.write(usage("a", "m", 1, "0.10"), null);
        assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(IOException.class).hasMessageContaining("08001");
        assertThat(writer.connectionRetries.getCount()).isEqualTo(2);
        assertThat(writer.quarantinedRows.getCount()).isZero();
    }

    @Test
    void aFaultOfTheSchemaFailsTheTaskInsteadOfQuarantiningEveryRow() throws Exception {
        execute("DROP TABLE usage_hourly CASCADE"); // 42P01: the deployment's fault, not a row's
        var writer = usageWriter(10, Duration.ofHours(1));
        writer.write(usage("a", "m", 1, "0.10"), null);
        assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(IOException.class).hasMessageContaining("42P01");
        assertThat(writer.quarantinedRows.getCount()).isZero();
    }

    private PostgresUpsertWriter<UsageHourlyRow> usageWriter(int batchSize, Duration interval) {
        return writer(PostgresSinks.USAGE_HOURLY, batchSize, interval);
    }

    private <T> PostgresUpsertWriter<T> writer(UpsertTable<T> table, int batchSize, Duration interval) {
        var target = new PostgresSinks.Target(url, postgres.user, postgres.password, batchSize, interval);
        var writer = new PostgresUpsertWriter<>(table, target, RetryPolicy.DEFAULT, clock, new UnregisteredMetricsGroup(), null);
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
        Map<String, String> out = new TreeMap<>();
        for (String line : query("SELECT account_id || '|' || model, requests || '|' || cost_usd FROM usage_hourly")) {
            String[] parts = line.split("\\|", 3);
            out.put(parts[0] + "|" + parts[1], parts[2]);
        }
        return out;
    }

    private List<String> query(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(plainUrl, postgres.user, postgres.password);
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
