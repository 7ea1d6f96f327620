package dev.billing.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.cli.CliRun;
import dev.billing.it.PipelineFixture;
import dev.billing.it.PipelineTestBase;
import dev.billing.it.TestMessage;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * An operator's and an analyst's day against a running job: usage for a model without a price is
 * dead-lettered; the price is published; the dead letters are replayed, twice by mistake; the
 * usage is billed exactly once; the monthly statement and the revenue report show it.
 */
class OperationsIT extends PipelineTestBase {
    @Test
    void replayingDeadLettersTwiceBillsThemOnce() throws Exception {
        JobOptions options = fixture.options("it_dlq_replay");
        JobClient job = PipelineFixture.start(options, "dlq-replay-it");
        try {
            long at = System.currentTimeMillis() - 60_000;
            String usage = "{\"request_id\":\"r-new-1\",\"account_id\":\"acct-1\",\"model\":\"brand-new\","
                    + "\"usage\":{\"prompt_tokens\":1000000,\"completion_tokens\":500000,\"total_tokens\":1500000},"
                    + "\"completed_at\":\"" + Instant.ofEpochMilli(at) + "\"}";
            fixture.client.send(List.of(TestMessage.valid(options.usageTopic, "acct-1", usage),
                    TestMessage.valid(options.usageTopic, "acct-1", "{broken")));
            PipelineFixture.awaitEqual("two dead letters", () -> Map.of("UNKNOWN_MODEL", 1, "UNPARSEABLE_JSON", 1, "total", 2),
                    () -> counts(options));

            fixture.client.send(List.of(TestMessage.valid(options.ratesTopic, "*/brand-new/0",
                    "{\"model\":\"brand-new\",\"input_usd_per_1m\":\"0.30\",\"output_usd_per_1m\":\"0.90\","
                            + "\"effective_from\":\"2020-01-01T00:00:00Z\"}")));
            PipelineFixture.awaitTrue("rate card consumed", () -> fixture.client.groupCaughtUp(options.groupId, options.ratesTopic));

            assertThat(run(options, "replay")).contains("choose what to replay");
            assertThat(run(options, "replay", "--reason", "UNKNOWN_MODEL")).contains("replayed 1 dead letters");
            assertThat(run(options, "replay", "--reason", "UNKNOWN_MODEL")).contains("replayed 1 dead letters");
            assertThat(run(options, "list", "--reason", "UNPARSEABLE_JSON")).contains("UNPARSEABLE_JSON " + options.usageTopic);
            PipelineFixture.awaitTrue("both replays consumed", () -> fixture.client.groupCaughtUp(options.groupId, options.usageTopic));

            // 1M x 0.30 / 1M + 0.5M x 0.90 / 1M
            Map<String, String> expected = Map.of("acct-1|brand-new", "1 request, $0.75");
            PipelineFixture.awaitEqual("billed once", () -> expected, () -> billed(options));
            assertThat(fixture.balances(options).get("acct-1").spend()).isEqualByComparingTo(new BigDecimal("0.75"));

            String statement = report(options, "statement", "--account", "acct-1");
            assertThat(statement).contains("Statement of acct-1");
            assertThat(statement.lines().filter(l -> l.startsWith("brand-new")).findFirst().orElseThrow())
                    .matches("brand-new\\s+1\\s+1000000\\s+500000\\s+0\\.75\\s+0\\.00\\s+0\\.75");
            assertThat(report(options, "--format=CSV", "revenue")).contains(",brand-new,1,1,1000000,500000,0.00,0.75");
            assertThat(report(options, "--format=JSON", "revenue")).contains("\"revenue_usd\" : \"0.75\"");
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    /**
     * dlq list prints each dead letter as it reads it and stops reading at --limit: a record that is
     * no dead letter after the first two is never reached by "list --limit 2", and "list" prints
     * the two before it says what is wrong with the third.
     */
    @Test
    void listPrintsDeadLettersAsItReadsThemAndStopsAtTheLimit() throws Exception {
        String topic = "it-dlq-streaming";
        // one key: one partition, so the three records are read in this order
        fixture.client.send(List.of(TestMessage.valid(topic, "k", deadLetter("UNKNOWN_MODEL", 7, "no rate card for m-1")),
                TestMessage.valid(topic, "k", deadLetter("TOO_LATE", 8, "8 days behind")),
                TestMessage.valid(topic, "k", "not a dead letter")));
        String first = "UNKNOWN_MODEL usage-records-0@7 no rate card for m-1 | {\"request_id\":\"r-7\"}";
        String second = "TOO_LATE usage-records-0@8 8 days behind | {\"request_id\":\"r-8\"}";

        CliRun limited = CliRun.of(List.of("dlq", "--bootstrap-servers=" + fixture.kafka.bootstrapServers(),
                "--dlq-topic=" + topic, "list", "--limit", "2"));
        assertThat(limited.exitCode()).as(limited.err()).isZero();
        assertThat(limited.out().lines()).containsExactly(first, second);

        CliRun all = CliRun.of(List.of("dlq", "--bootstrap-servers=" + fixture.kafka.bootstrapServers(),
                "--dlq-topic=" + topic, "list"));
        assertThat(all.exitCode()).isEqualTo(1);
        assertThat(all.out().lines()).containsExactly(first, second);
        assertThat(all.err()).containsPattern("The record at offset 2 of " + topic + "-\\d+ is not a dead letter")
                .doesNotContain("\tat ");
    }

    private static String deadLetter(String reason, long offset, String detail) {
        return "{\"reason\":\"" + reason + "\",\"source_topic\":\"usage-records\",\"source_partition\":0,"
                + "\"source_offset\":" + offset + ",\"detail\":\"" + detail + "\","
                + "\"original_text\":\"{\\\"request_id\\\":\\\"r-" + offset + "\\\"}\"}";
    }

    private static Map<String, String> billed(JobOptions options) throws Exception {
        Map<String, String> out = new TreeMap<>();
        fixture.query(options, "SELECT account_id, model, sum(requests), sum(cost_usd) FROM usage_hourly GROUP BY 1, 2",
                rs -> out.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3) + " request, $"
                        + rs.getBigDecimal(4).stripTrailingZeros().toPlainString()));
        return out;
    }

    /** Runs {@code bin/billing dlq [parentOptions] subcommand} in this JVM and returns what it printed. */
    private static String run(JobOptions options, String subcommand, String... parentOptions) {
        List<String> args = new java.util.ArrayList<>(List.of("dlq", "--bootstrap-servers=" + options.bootstrapServers,
                "--dlq-topic=" + options.dlqTopic));
        args.addAll(List.of(parentOptions));
        args.add(subcommand);
        return execute(args);
    }

    /** Runs {@code bin/billing report --jdbc-url ... args}. */
    private static String report(JobOptions options, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("report", "--jdbc-url=" + options.jdbcUrl,
                "--jdbc-user=" + options.jdbcUser, "--jdbc-password=" + options.jdbcPassword));
        all.addAll(List.of(args));
        return execute(all);
    }

    private static String execute(List<String> args) {
        return CliRun.of(args).printed();
    }

    private static Map<String, Integer> counts(JobOptions options) {
        Map<String, Integer> out = new TreeMap<>();
        for (String line : run(options, "count").split("\\R")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                out.put(parts[0], Integer.parseInt(parts[1]));
            }
        }
        return out;
    }
}
