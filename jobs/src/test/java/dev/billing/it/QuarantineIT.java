package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.job.JobOptions;
import dev.billing.job.Migrations;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * A row PostgreSQL refuses must not stop billing: the schema here refuses every row of one account
 * (a CHECK on usage_hourly, a trigger's RAISE on account_balance). Every other account must be
 * billed exactly, the refused rows must sit in billing_quarantine with their SQLSTATE and exact
 * totals, the job must keep running and publishing, and once the cause is gone the next write of
 * the account repairs its rows.
 */
class QuarantineIT extends PipelineTestBase {
    private static final String REFUSED = "acct-003";
    private static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};

    private final ObjectMapper json = new ObjectMapper();
    private final LedgerModel model = new LedgerModel(System.currentTimeMillis());
    private Random random;
    private String usageTopic;
    private int requestSeq;

    @Test
    void oneAccountsRefusedRowsAreQuarantinedWhileEveryOtherAccountIsBilledExactly() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("QuarantineIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        random = new Random(seed);
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS).toEpochMilli();

        JobOptions options = fixture.options("it_quarantine");
        usageTopic = options.usageTopic;
        Migrations.apply(options.jdbcUrl, options.jdbcUser, options.password());
        execute(options, "ALTER TABLE usage_hourly ADD CONSTRAINT it_refuse_one CHECK (account_id <> '" + REFUSED + "')");
        execute(options, "CREATE FUNCTION it_refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.account_id = '" + REFUSED + "' THEN RAISE EXCEPTION 'account % is refused by this test',"
                + " NEW.account_id; END IF; RETURN NEW; END $$");
        execute(options, "CREATE TRIGGER it_refuse_one BEFORE INSERT OR UPDATE ON account_balance FOR EACH ROW"
                + " EXECUTE FUNCTION it_refuse_one()");

        List<TestMessage> first = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            first.add(usage(String.format("acct-%03d", random.nextInt(8)), t0 + (long) (random.nextDouble() * 3 * LedgerModel.HOUR)));
        }
        first.add(usage(REFUSED, t0));
        LedgerModel afterFirst = model.copy();

        JobClient job = PipelineFixture.start(options, "billing-quarantine-it");
        try {
            fixture.client.send(first);
            PipelineFixture.awaitEqual("every other account's rollups", () -> without(afterFirst.rows()),
                    () -> fixture.usageHourly(options));
            PipelineFixture.awaitEqual("every other account's balance", () -> without(afterFirst.balances()),
                    () -> fixture.balances(options));
            PipelineFixture.awaitEqual("the refused account's rows in quarantine, with their exact totals",
                    () -> quarantineExpected(afterFirst), () -> quarantine(options));

            // the job is still running: later records, of a new account too, are billed and published
            List<TestMessage> later = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                later.add(usage(String.format("acct-%03d", random.nextInt(10)), t0 + (long) (random.nextDouble() * 3 * LedgerModel.HOUR)));
            }
            fixture.client.send(later);
            PipelineFixture.awaitEqual("later rollups", () -> without(model.rows()), () -> fixture.usageHourly(options));
            PipelineFixture.awaitEqual("later balances", () -> without(model.balances()), () -> fixture.balances(options));
            PipelineFixture.awaitEqual("statuses of every account, the refused one included",
                    model::statusChanges, () -> PipelineFixture.coarsenedTo(model.statusChanges(),
                            fixture.statusHistory(options.statusTopic, s -> s.get("status").asText())));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            // the operator removes the cause; the next write of the account repairs its balance row
            execute(options, "DROP TRIGGER it_refuse_one ON account_balance");
            execute(options, "ALTER TABLE usage_hourly DROP CONSTRAINT it_refuse_one");
            fixture.client.send(List.of(usage(REFUSED, t0)));
            PipelineFixture.awaitEqual("every balance, the repaired one included", model::balances,
                    () -> fixture.balances(options));
            String repairedKey = REFUSED + "|" + MODELS[0] + "|" + t0;
            PipelineFixture.awaitEqual("the repaired rollup", () -> model.rows().get(repairedKey),
                    () -> fixture.usageHourly(options).get(repairedKey));
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    /** Usage of {@code account} at {@code at}; the refused account always uses one model, so one row repairs all of it. */
    private TestMessage usage(String account, long at) {
        String model = account.equals(REFUSED) ? MODELS[0] : MODELS[random.nextInt(MODELS.length)];
        long prompt = 10 + random.nextInt(5_000);
        long completion = random.nextInt(2_000);
        String requestId = "q-" + (++requestSeq);
        long hourAligned = account.equals(REFUSED) ? at - Math.floorMod(at, LedgerModel.HOUR) : at;
        this.model.usage(requestId, account, model, prompt, completion, hourAligned);
        var n = json.createObjectNode()
                .put("request_id", requestId)
                .put("account_id", account)
                .put("model", model)
                .put("completed_at", Instant.ofEpochMilli(hourAligned).toString());
        n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return TestMessage.valid(usageTopic, account, n.toString());
    }

    private static <V> Map<String, V> without(Map<String, V> byKey) {
        Map<String, V> out = new TreeMap<>(byKey);
        out.keySet().removeIf(k -> k.equals(REFUSED) || k.startsWith(REFUSED + "|"));
        return out;
    }

    /** What billing_quarantine must hold: "table|key|sqlstate|totals" for the refused account's rows. */
    private static Map<String, String> quarantineExpected(LedgerModel r) {
        Map<String, String> out = new TreeMap<>();
        r.rows().forEach((key, totals) -> {
            if (key.startsWith(REFUSED + "|")) {
                String[] parts = key.split("\\|");
                out.put("usage_hourly|" + REFUSED + "|" + parts[1] + "|" + Instant.ofEpochMilli(Long.parseLong(parts[2])),
                        "23514|" + totals.requests() + "|" + totals.cost().stripTrailingZeros().toPlainString());
            }
        });
        LedgerModel.Balance b = r.balances().get(REFUSED);
        out.put("account_balance|" + REFUSED, "P0001|" + b.credits().stripTrailingZeros().toPlainString() + "|"
                + b.spend().stripTrailingZeros().toPlainString());
        return out;
    }

    private Map<String, String> quarantine(JobOptions options) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        fixture.query(options, "SELECT table_name, row_key->>'account_id', row_key->>'model', row_key->>'hour', sqlstate,"
                + " row_data->>'requests', row_data->>'cost_usd', row_data->>'credits_usd', row_data->>'spend_usd'"
                + " FROM billing_quarantine", rs -> {
                    boolean usage = rs.getString(1).equals("usage_hourly");
                    String key = usage ? rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4)
                            : rs.getString(1) + "|" + rs.getString(2);
                    String totals = usage ? rs.getString(6) + "|" + plain(rs.getString(7))
                            : plain(rs.getString(8)) + "|" + plain(rs.getString(9));
                    out.put(key, rs.getString(5) + "|" + totals);
                });
        return out;
    }

    private static String plain(String decimal) {
        return new BigDecimal(decimal).stripTrailingZeros().toPlainString();
    }

    private void execute(JobOptions options, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
