package dev.billing.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.it.KafkaTestClient;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.it.TestMessage;
import dev.billing.it.UsageJson;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.job.RestoreMapping;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each release's own savepoint and retained checkpoint (see {@code releases/README.md}) restores
 * with this build on a real KRaft broker and PostgreSQL; release 0.1's through the conversion of its
 * ledger state ({@code Release01Conversion}) that the restore runs by itself, as {@code bin/billing
 * job} does.
 *
 * <p>A restore is checked to the last digit. The input topics are rebuilt first with the
 * release's records at the offsets its state resumes from; then the job continues with one more
 * record into every (account, model, hour) the state holds, the first usage of the accounts whose
 * terms live only in the state, a purchase, a resend of a remembered request id, usage that takes
 * an account below its low-balance level, and a malformed record. Every balance and rollup row,
 * every account's newest status, the alerts and the dead letters then equal an independent model
 * of all input to the last digit: the alerts and dead letters of this run only (the release's went
 * to its own broker), so an alert the state remembers as sent must not come again.
 */
class ReleaseRestoreIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static List<ReleaseFixtures.RestorePoint> restorePoints() throws Exception {
        return ReleaseFixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restorePoints")
    void continuesWithEveryBalanceRollupStatusAlertAndDeadLetterExact(
            ReleaseFixtures.RestorePoint point) throws Exception {
        try (PipelineFixture f = new PipelineFixture()) {
            JobOptions options = f.options("release_restore_" + point.kind(),
                    "--topic-partitions", String.valueOf(ReleaseInput.PARTITIONS));
            LedgerModel model = new LedgerModel(System.currentTimeMillis());
            SavepointDataset before = SavepointDataset.beforeSavepoint(model, point.datasetDay());
            // what the release published went to its own broker; this run's alerts are the rest
            Set<String> alertsOfTheRelease = Set.copyOf(model.alertIds());
            SavepointDataset after = SavepointDataset.afterRestore(before, model);

            BillingJob.prepare(options);
            ReleaseInput.sendTerms(f.client, before);
            ReleaseInput.sendUsage(f.client, before);

            StreamExecutionEnvironment env = BillingJob.environment(options, restoreFrom(options, point));
            List<String> log = new ArrayList<>();
            RestoreMapping.apply(env, List.of(), log::add);
            // release 0.1's ledger state is converted first; its JDBC committers, holding no committable, are dropped
            boolean release01 = point.release().equals("release-0.1");
            assertThat(log.stream().anyMatch(l -> l.startsWith("Converted in "))).as("converted").isEqualTo(release01);
            assertThat(log.stream().filter(l -> l.startsWith("Dropping the state of ")).map(l -> l.substring(0, l.indexOf(" (")))
                    .sorted().toList()).as("every other operator with state in the release's own state is one of this build's")
                    .isEqualTo(release01 ? List.of("Dropping the state of 'Sink Committer: sink-account-balance'",
                            "Dropping the state of 'Sink Committer: sink-usage-hourly'") : List.of());
            JobClient job = env.executeAsync("restore " + point);
            try {
                ReleaseInput.sendTerms(f.client, after);
                ReleaseInput.sendUsage(f.client, after);
                // 70 M tokens at $0.20 per million: $14.00 of acct-paid's $15.00, below a tenth of its last purchase
                long at = point.datasetDay() + 100 * 60_000L;
                model.usage("acct-paid", "llama-3.3-70b", 60_000_000, 10_000_000, at);
                List<KafkaTestClient.Sent> sent = f.client.sendAll(List.of(
                        TestMessage.valid("usage-records", "acct-paid", UsageJson.of("req-paid-big", "acct-paid",
                                "llama-3.3-70b", 60_000_000, 10_000_000, at, "node-1").toString()),
                        TestMessage.bad("usage-records", "acct-free", "{\"request_id\": ", "UNPARSEABLE_JSON")));
                KafkaTestClient.Sent malformed = sent.get(1);

                PipelineFixture.awaitEqual("account_balance", model::balances, () -> f.balances(options));
                PipelineFixture.awaitEqual("usage_hourly", model::rows, () -> f.usageHourly(options));
                PipelineFixture.awaitEqual("each account's newest status", model::finalStatuses,
                        () -> newestStatuses(f, options));
                Set<String> alertsOfThisRun = new LinkedHashSet<>(model.alertIds());
                alertsOfThisRun.removeAll(alertsOfTheRelease);
                assertThat(alertsOfThisRun).as("the model's alerts after the restore").isNotEmpty();
                PipelineFixture.awaitEqual("alerts, each once", () -> alertsOfThisRun.stream().sorted().toList(),
                        () -> f.readValid(options.alertsTopic, "billing-alert").stream()
                                .map(a -> a.get("alert_id").asText()).sorted().toList());
                PipelineFixture.awaitEqual("dead letters, the resend of a remembered request id not among them",
                        () -> Map.of(malformed, "UNPARSEABLE_JSON"), () -> f.deadLetters(options.dlqTopic));
            } finally {
                PipelineFixture.cancel(job);
            }
        }
    }

    /** The job's own configuration, restoring {@code point}; a failing restore fails at once instead of restarting. */
    private static Configuration restoreFrom(JobOptions options, ReleaseFixtures.RestorePoint point) {
        Configuration conf = JobConfiguration.of(options);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, point.path().toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    private static Map<String, LedgerModel.FinalStatus> newestStatuses(PipelineFixture f, JobOptions options) {
        Map<String, JsonNode> newest = new TreeMap<>();
        for (JsonNode s : f.readValid(options.statusTopic, "account-status")) {
            newest.merge(s.get("account_id").asText(), s,
                    (a, b) -> a.get("version").asLong() >= b.get("version").asLong() ? a : b);
        }
        Map<String, LedgerModel.FinalStatus> out = new TreeMap<>();
        newest.forEach((account, s) -> {
            List<String> reasons = new ArrayList<>();
            s.get("reasons").forEach(r -> reasons.add(r.asText()));
            out.put(account, new LedgerModel.FinalStatus(s.get("status").asText(), reasons,
                    new BigDecimal(s.get("balance_usd").asText()), new BigDecimal(s.get("month_spend_usd").asText())));
        });
        return out;
    }
}
