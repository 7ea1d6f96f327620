package dev.billing.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.job.JobOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * A zombie writer: the TaskManager that runs a share of the ledger and of the JDBC sinks is frozen
 * (SIGSTOP) while its sinks hold rows they have not written, so that it is cut off from the
 * JobManager but keeps its connections to PostgreSQL. The JobManager notices the missing
 * heartbeats and fails the job over to the other TaskManagers, and the new attempt writes newer
 * totals. Then the zombie is resumed (SIGCONT): before it finds itself disconnected and fails its
 * tasks, its JDBC writers' overdue batch timers fire and write what they held, older totals, into
 * the same rows. Then it is
 * killed. No row may be left with the older total.
 *
 * <p>Evidence that the zombie really wrote after resuming comes from PostgreSQL itself: a
 * BEFORE INSERT row trigger in the scenario's schema logs every row an upsert proposes (it fires
 * even when the row then meets a conflict, and even when a fence lets it change nothing) with the
 * backend that sent it; the backends of the zombie are found by the ports of its sockets (read from
 * /proc while it is frozen). For balance rows it also logs the ledger time the row was made at,
 * which tells the held batch (made before the freeze) from rows the zombie's ledger made after it
 * resumed (its overdue flush timers fire at once): those carry a wall-clock time later than the new
 * attempt's last write, so a fence must not rank rows by the time they were made.
 */
final class ZombieTaskManager implements FaultScenariosIT.Fault {
    /** The sink whose rows are watched; its subtask 0 runs on the TaskManager that is frozen. */
    private static final String SINK = "account_balance: Writer";
    /**
     * How old the REST API's sample of the sink's gauges may be when the TaskManager is frozen: the
     * metrics are fetched asynchronously (a request is answered from the previous fetch), from
     * busy TaskManagers on a loaded machine.
     */
    private static final long STALE_MS = 3000;

    private final FlinkCluster cluster;
    private final String job;
    private final PipelineFixture services;
    private final JobOptions options;
    private final String applicationName;
    private final long checkpointIntervalMs;
    private final long batchIntervalMs;
    private final ScenarioInput input;
    private final Callable<Map<String, LedgerModel.Row>> rows;
    /** What {@link #sinkHoldsRows} saw last, for the message when it never holds. */
    private volatile String lastSeen = "nothing yet";

    ZombieTaskManager(FlinkCluster cluster, String job, PipelineFixture services, JobOptions options, String applicationName,
            ScenarioInput input, Callable<Map<String, LedgerModel.Row>> rows) {
        this.cluster = cluster;
        this.job = job;
        this.services = services;
        this.options = options;
        this.applicationName = applicationName;
        this.checkpointIntervalMs = options.checkpointInterval.toMillis();
        this.batchIntervalMs = options.jdbcBatchInterval.toMillis();
        this.input = input;
        this.rows = rows;
    }

    @Override
    public void inject() throws Exception {
        installProbe();
        FlinkCluster.TaskManager zombie = cluster.runningSubtaskOf(job, SINK);
        try {
            PipelineFixture.awaitTrue("the JDBC sink on the TaskManager to freeze holds rows it will not write for seconds",
                    this::sinkHoldsRows);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + lastSeen, e);
        }
        zombie.signal("STOP");
        long frozenAtNanos = System.nanoTime();
        List<Integer> backends = backendsOf(zombie);
        System.out.println("zombie: " + zombie.id() + " (pid " + zombie.process().pid() + ") frozen with PostgreSQL backends "
                + backends);
        assertThat(backends).as("the zombie's connections to PostgreSQL").isNotEmpty();

        PipelineFixture.awaitTrue("the JobManager failed the job over to the other TaskManagers",
                () -> cluster.failuresOf(job) > 0 && cluster.runsWithout(job, zombie));
        PipelineFixture.awaitEqual("the new attempt wrote the rollups of everything streamed", input.afterStream::rows, rows);
        PipelineFixture.awaitEqual("the new attempt wrote the balances of everything streamed", input.afterStream::balances,
                () -> services.balances(options));

        // the freeze outlasts the batch interval (the failover alone takes the heartbeat timeout and
        // more), so the held rows are overdue the moment the zombie resumes
        PipelineFixture.awaitTrue("the zombie's held rows are overdue",
                () -> System.nanoTime() - frozenAtNanos > (batchIntervalMs + 1000) * 1_000_000);
        Timestamp resumed = databaseNow();
        zombie.signal("CONT");
        System.out.println("zombie: resumed after " + (System.nanoTime() - frozenAtNanos) / 1_000_000 + " ms frozen");
        PipelineFixture.awaitTrue("the zombie closed its connections to PostgreSQL",
                () -> alive(backends).isEmpty());
        cluster.kill(zombie); // let it die: left alone it would register again as a fresh TaskManager
        Map<String, Long> writes = upsertsSince(resumed, backends);
        System.out.println("zombie: rows it tried to write after resuming, by table (and balance rows its ledger made"
                + " after resuming): " + writes);

        assertThat(writes).as("the zombie must have written after resuming, or this scenario tested nothing").isNotEmpty();
        // nothing writes any more (the stream is over and the new attempt has written it): check once
        PipelineFixture.awaitEqual("usage_hourly after the zombie's late flush: no row may keep an older total",
                input.afterStream::rows, rows, Duration.ZERO);
        PipelineFixture.awaitEqual("account_balance after the zombie's late flush: no row may keep an older total",
                input.afterStream::balances, () -> services.balances(options), Duration.ZERO);
    }

    /**
     * The sink writes its held rows when its batch interval has passed since the first of them, or
     * when a checkpoint's barrier asks it to (the batch size is out of reach). So when its gauges
     * show rows held for less than the batch interval by a margin that covers the age of the
     * sample, and no checkpoint ran or is due within that margin, it still holds them when it is
     * frozen. Needs fresh checkpoint statistics and metrics from
     * the REST API (the cluster's caches are set short for this scenario).
     */
    private boolean sinkHoldsRows() throws Exception {
        JsonNode stats = cluster.checkpoints(job);
        JsonNode last = stats.path("latest").path("completed");
        if (stats.path("counts").path("in_progress").asInt() != 0 || last.isMissingNode() || last.isNull()) {
            lastSeen = "a checkpoint in progress, or none completed: " + stats.path("counts");
            return false;
        }
        long now = System.currentTimeMillis();
        long acked = last.path("latest_ack_timestamp").asLong();
        long nextTrigger = last.path("trigger_timestamp").asLong() + checkpointIntervalMs;
        if (now < acked + STALE_MS || now > nextTrigger - STALE_MS) {
            lastSeen = "a checkpoint acknowledged " + (now - acked) + " ms ago, the next due in " + (nextTrigger - now) + " ms";
            return false;
        }
        Map<String, Long> gauges = cluster.subtaskOperatorMetrics(job, SINK, 0, "pendingRows", "oldestPendingAgeMs");
        long pending = gauges.getOrDefault("pendingRows", 0L);
        long age = gauges.getOrDefault("oldestPendingAgeMs", Long.MAX_VALUE);
        lastSeen = "the sink's gauges " + gauges;
        if (pending > 0 && age < batchIntervalMs - STALE_MS) {
            System.out.println("zombie: its account_balance sink holds " + pending + " rows, the oldest for " + age + " ms");
            return true;
        }
        return false;
    }

    /** Logs every row an upsert proposes on the two tables, with its backend, in the scenario's own schema. */
    private void installProbe() throws SQLException {
        execute("CREATE TABLE zombie_probe (backend_pid int, at timestamptz, tbl text, account_id text, made_at timestamptz)",
                "CREATE FUNCTION zombie_probe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO zombie_probe VALUES (pg_backend_pid(), clock_timestamp(), TG_TABLE_NAME,"
                        + " NEW.account_id, CASE WHEN TG_TABLE_NAME = 'account_balance' THEN NEW.updated_at END);"
                        + " RETURN NEW; END $$",
                "CREATE TRIGGER zombie_probe BEFORE INSERT ON usage_hourly FOR EACH ROW EXECUTE FUNCTION zombie_probe()",
                "CREATE TRIGGER zombie_probe BEFORE INSERT ON account_balance FOR EACH ROW EXECUTE FUNCTION zombie_probe()");
    }

    /** The PostgreSQL backends serving the TaskManager's connections. */
    private List<Integer> backendsOf(FlinkCluster.TaskManager tm) throws Exception {
        int[] serverPort = new int[1];
        services.query(options, "SELECT inet_server_port()", rs -> serverPort[0] = rs.getInt(1));
        Set<Integer> ports = ProcessSockets.establishedLocalPorts(tm.process().pid(), serverPort[0]);
        List<Integer> out = new ArrayList<>();
        services.query(options, "SELECT pid, client_port FROM pg_stat_activity WHERE application_name = '"
                + applicationName + "'", rs -> {
                    if (ports.contains(rs.getInt(2))) {
                        out.add(rs.getInt(1));
                    }
                });
        return out;
    }

    private List<Integer> alive(List<Integer> backends) throws SQLException {
        List<Integer> out = new ArrayList<>();
        services.query(options, "SELECT pid FROM pg_stat_activity", rs -> {
            if (backends.contains(rs.getInt(1))) {
                out.add(rs.getInt(1));
            }
        });
        return out;
    }

    /** Rows the backends proposed after {@code since}, by table, and the balance rows among them made after it. */
    private Map<String, Long> upsertsSince(Timestamp since, List<Integer> backends) throws SQLException {
        Map<String, Long> out = new java.util.TreeMap<>();
        String after = "'" + since.toInstant() + "'";
        services.query(options, "SELECT tbl, count(*), count(*) FILTER (WHERE made_at > " + after + ") FROM zombie_probe"
                + " WHERE at > " + after + " AND backend_pid IN ("
                + backends.stream().map(String::valueOf).collect(Collectors.joining(",")) + ") GROUP BY tbl", rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                    if (rs.getString(1).equals("account_balance")) {
                        out.put("account_balance made after resuming", rs.getLong(3));
                    }
                });
        return out;
    }

    private Timestamp databaseNow() throws SQLException {
        Timestamp[] now = new Timestamp[1];
        services.query(options, "SELECT clock_timestamp()", rs -> now[0] = rs.getTimestamp(1));
        return now[0];
    }

    private void execute(String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, services.postgres.user, services.postgres.password);
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }
}
