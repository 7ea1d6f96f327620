package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.job.BillingJob;
import dev.billing.job.JobOptions;
import dev.billing.job.StateGuard;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * Three months of history across month boundaries (purchases, monthly limits, volume discounts,
 * auto top-ups, resends) waiting in the topics, read by a job that starts on them: the usage
 * topic lags the small events topic by the whole backlog, so without reading the two in step the
 * events would run months ahead and the account's billing window with them. Then the state is
 * rebuilt from the earliest records into an empty database. Both must equal the model to the last
 * digit, dead-letter nothing, and ask the payments service for exactly the top-ups of the model.
 */
class HistoryIT extends PipelineTestBase {
    private static final int ACCOUNTS = 8;
    private static final long DAY = 24 * LedgerModel.HOUR;
    /** A backlog advances about the drift per alignment round (see InputOrder): 88 days in a minute or two. */
    private static final int DRIFT_HOURS = 3;
    private static final Duration CATCH_UP = Duration.ofMinutes(8);

    @Test
    void aBacklogOfMonthsAndItsRebuildEqualTheModel() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("HistoryIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long now = System.currentTimeMillis();
        long end = now - 2 * LedgerModel.HOUR;
        long start = end - 88 * DAY;
        // purchases keep usage twice the drift away on either side: on which side of a purchase a charge
        // falls (and with it an auto top-up) cannot depend on how the two topics interleave within it
        History history = new History(seed, start, end, ACCOUNTS, 2 * DRIFT_HOURS * LedgerModel.HOUR, now);
        Set<Integer> months = new TreeSet<>();
        for (long t = start; t <= end; t += DAY) {
            months.add(LedgerModel.month(t));
        }
        assertThat(months).as("two month boundaries at least").hasSizeGreaterThanOrEqualTo(3);
        assertThat(history.model.topUpRequests()).as("the history must make auto top-ups").hasSizeGreaterThanOrEqualTo(3);
        assertThat(history.model.statusChanges().values().stream().filter(h -> h.contains("BLOCKED")).count())
                .as("the history must block accounts").isPositive();

        String[] order = {"--input-max-drift", DRIFT_HOURS + "h"};
        JobOptions options = fixture.options("it_history", order);
        BillingJob.prepare(options);
        fixture.client.send(history.messages(options));

        JobClient job = PipelineFixture.start(options, "billing-history-catch-up");
        awaitModel("caught up", history, options);
        List<String> requested = paymentRequests(options);
        // the accounts' requests interleave by partition; each account's own are numbered in order
        assertThat(requested).as("the top-ups of the model, each once")
                .containsExactlyInAnyOrderElementsOf(history.model.topUpRequests().stream().map(Object::toString).toList());
        assertThat(fixture.deadLetters(options.dlqTopic)).as("nothing dead-lettered, no TOO_LATE").isEmpty();
        PipelineFixture.cancel(job);

        // the state is lost: rebuilt from the earliest records, into a database without the old rows
        JobOptions rebuild = fixture.options("it_history_rebuilt", order);
        rebuild.rebuildStateFromEarliest = true;
        StateGuard.check(rebuild, Optional.empty(), "the test starts without a checkpoint");
        JobClient rebuilt = PipelineFixture.start(rebuild, "billing-history-rebuild");
        awaitModel("rebuilt", history, rebuild);
        PipelineFixture.awaitTrue("the rebuild's top-ups published", () -> paymentRequests(rebuild).size() >= 2 * requested.size());
        List<String> twice = new ArrayList<>(requested);
        twice.addAll(requested);
        assertThat(paymentRequests(rebuild)).as("the rebuild asks for the very top-ups of the first run (the payments"
                + " service knows their ids), none it did not make").containsExactlyInAnyOrderElementsOf(twice);
        assertThat(fixture.deadLetters(options.dlqTopic)).as("the rebuild dead-letters nothing either").isEmpty();
        PipelineFixture.cancel(rebuilt);
        assertThat(paymentRequests(rebuild)).as("nothing more after the rebuild").hasSize(2 * requested.size());
    }

    private static void awaitModel(String what, History history, JobOptions options) throws Exception {
        PipelineFixture.awaitEqual(what + ": every input committed", () -> true, () -> fixture.client.groupCaughtUp(
                options.groupId, options.usageTopic) && fixture.client.groupCaughtUp(options.groupId, options.eventsTopic),
                CATCH_UP);
        assertThat(fixture.readValid(options.dlqTopic, "dead-letter")).as(what + ": no dead letter (no TOO_LATE)")
                .extracting(d -> d.get("reason").asText() + " " + d.get("original_text").asText() + ": " + d.get("detail").asText())
                .isEmpty();
        PipelineFixture.awaitEqual(what + ": usage_hourly", history.model::rows, () -> fixture.usageHourly(options), CATCH_UP);
        PipelineFixture.awaitEqual(what + ": account_balance", history.model::balances, () -> fixture.balances(options),
                CATCH_UP);
        PipelineFixture.awaitEqual(what + ": the last status of each account", () -> lastOf(
                history.model.statusHistory().entrySet().stream().collect(Collectors.toMap(e -> e.getKey(),
                        e -> e.getValue().get(e.getValue().size() - 1).split(" ")[0]))),
                () -> lastOf(fixture.statusHistory(options.statusTopic, s -> s.get("status").asText()).entrySet().stream()
                        .collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue().get(e.getValue().size() - 1)))));
    }

    private static java.util.Map<String, String> lastOf(java.util.Map<String, String> m) {
        return new java.util.TreeMap<>(m);
    }

    /** The payment requests on the topic, in order, as the model describes its own. */
    private static List<String> paymentRequests(JobOptions options) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : fixture.readValid(options.paymentRequestsTopic, "payment-request")) {
            out.add(r.get("request_id").asText() + " " + r.get("account_id").asText() + " buys "
                    + plain(r, "amount_usd") + " below " + plain(r, "below_usd") + " at " + plain(r, "balance_usd"));
        }
        return out;
    }

    private static String plain(JsonNode r, String field) {
        return new BigDecimal(r.get(field).asText()).stripTrailingZeros().toPlainString();
    }
}
