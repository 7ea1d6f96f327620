package dev.billing.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.it.TestMessage;
import dev.billing.it.UsageJson;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monthly limits, spend and low-balance alerts, enterprise overrides and volume discounts, over
 * usage that spans a month boundary: this month's records, then records of last month arriving
 * late, each in a phase of its own after the limits, discounts and cards. The workflow on a
 * MiniCluster (no broker: these are the rules, not Kafka). Rollups (tokens, charged and list
 * cost), balances, statuses with their reasons and alerts must equal the {@link LedgerModel},
 * exactly; no alert may appear twice.
 */
class LimitsAlertsWorkflowIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
    private static final int ACCOUNTS = 30;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void limitsAlertsAndDiscountsAcrossAMonthBoundaryMatchAnIndependentModel(@TempDir Path work) throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("LimitsAlertsWorkflowIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        Random random = new Random(seed);
        long now = System.currentTimeMillis();
        long monthStart = LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC).withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long thisMonthFrom = Math.max(monthStart, now - 4 * 3_600_000L);
        LedgerModel model = new LedgerModel(now);

        List<TestMessage> setup = new ArrayList<>();
        List<TestMessage> rates = new ArrayList<>();
        rates.add(rateCard("acct-007", "deepseek-v3", "0.200001", "0.199999", monthStart - 40L * 24 * 3_600_000));
        model.override("acct-007", "deepseek-v3", "0.200001", "0.199999");
        for (int i = 0; i < ACCOUNTS; i++) {
            String account = String.format("acct-%03d", i);
            if (i % 3 == 0) {
                String limit = new BigDecimal("0.50").add(new BigDecimal("0.25").multiply(BigDecimal.valueOf(i % 5))).toPlainString();
                setup.add(limits(account, limit, "0.25", "0.75"));
                model.limits(account, limit, "0.25", "0.75");
            }
            if (i % 4 == 1) {
                setup.add(discounts(account));
                model.discounts(account, List.of(new LedgerModel.Tier(new BigDecimal("0.40"), new BigDecimal("10")),
                        new LedgerModel.Tier(new BigDecimal("1.20"), new BigDecimal("25.5"))));
            }
            if (i % 5 == 2) {
                setup.add(purchase(account, "5.00"));
                model.purchase(account, "5.00");
            }
        }
        List<TestMessage> thisMonth = usage(random, 1500, thisMonthFrom, now - 60_000);
        // two heavy accounts without a limit or a purchase run out of credit whatever the seed drew
        thisMonth.add(exhausting("acct-008", now - 90_000));
        thisMonth.add(exhausting("acct-016", now - 90_000));
        List<TestMessage> lastMonth = usage(random, 300, monthStart - 4 * 3_600_000L, monthStart);
        feed(model, thisMonth);
        feed(model, lastMonth);

        long blockedByLimit = model.statusHistory().values().stream().filter(h -> h.stream().anyMatch(s -> s.contains("MONTHLY_LIMIT"))).count();
        long exhausted = model.statusHistory().values().stream().filter(h -> h.stream().anyMatch(s -> s.contains("BALANCE_EXHAUSTED"))).count();
        System.out.println("model: " + blockedByLimit + " accounts hit their monthly limit, " + exhausted
                + " ran out of credit, " + model.alertIds().size() + " alerts");
        assertThat(blockedByLimit).as("the dataset must reach monthly limits").isGreaterThanOrEqualTo(3);
        assertThat(exhausted).as("the dataset must exhaust balances").isGreaterThanOrEqualTo(2);

        try (WorkflowRun run = WorkflowRun.start(work, "--billing-window", "40d")) {
            run.phase(Stream.concat(rates.stream(), setup.stream()).toList());
            run.phase(thisMonth);
            run.phase(lastMonth);

            assertThat(run.rows()).as("rollups: tokens, charged and list cost").isEqualTo(model.rows());
            assertThat(run.balances()).as("balances").isEqualTo(model.balances());
            assertThat(run.alertIds()).as("alerts, each once").isEqualTo(model.alertIds().stream().sorted().toList());
            assertThat(PipelineFixture.coarsenedTo(model.statusHistory(), run.statusHistory(s -> s.status + " "
                    + (s.reasons == null ? "" : s.reasons))))
                    .as("status transitions with their reasons, in order, the last one right").isEqualTo(model.statusHistory());
            assertThat(run.finalStatuses()).as("what a gateway holds in the end").isEqualTo(model.finalStatuses());
            assertThat(run.deadLetters()).as("nothing rejected").isEmpty();
        }
    }

    private void feed(LedgerModel model, List<TestMessage> usage) throws Exception {
        for (TestMessage m : usage) {
            JsonNode n = json.readTree(m.value());
            model.usage(n.get("account_id").asText(), n.get("model").asText(), n.at("/usage/prompt_tokens").asLong(),
                    n.at("/usage/completion_tokens").asLong(), Instant.parse(n.get("completed_at").asText()).toEpochMilli());
        }
    }

    /** Usage in [from, to), shuffled; each account's records reach its ledger in this order. */
    private List<TestMessage> usage(Random random, int count, long from, long to) {
        List<TestMessage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = random.nextInt(ACCOUNTS);
            String account = String.format("acct-%03d", a);
            boolean heavy = a % 8 == 0;
            long prompt = heavy ? 400_000 + random.nextInt(400_000) : a % 2 == 0 || a % 3 == 0 ? 50_000 + random.nextInt(150_000) : 100 + random.nextInt(5_000);
            long completion = random.nextInt(heavy ? 40_000 : 3_000);
            ObjectNode n = json.createObjectNode()
                    .put("request_id", "req-" + from + "-" + i)
                    .put("account_id", account)
                    .put("model", MODELS[random.nextInt(MODELS.length)])
                    .put("completed_at", Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from))).toString());
            n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                    .put("total_tokens", prompt + completion);
            out.add(TestMessage.valid(PhasedSources.USAGE, account, n.toString()));
        }
        Collections.shuffle(out, random);
        return out;
    }

    /** $6.00 of deepseek-v3 list price in one record: more than the free credits. */
    private TestMessage exhausting(String account, long completedAt) {
        ObjectNode n = UsageJson.of("req-exhaust-" + account, account, "deepseek-v3", 24_000_000, 0, completedAt, null);
        return TestMessage.valid(PhasedSources.USAGE, account, n.toString());
    }

    private TestMessage limits(String account, String limit, String... thresholds) {
        ObjectNode n = event(account, "LIMITS_SET").put("monthly_hard_limit_usd", limit);
        for (String t : thresholds) {
            n.withArray("alert_thresholds_usd").add(t);
        }
        return TestMessage.valid(PhasedSources.EVENTS, account, n.toString());
    }

    private TestMessage discounts(String account) {
        ObjectNode n = event(account, "VOLUME_DISCOUNTS_SET");
        n.putArray("volume_discounts")
                .add(json.createObjectNode().put("monthly_spend_above_usd", "1.20").put("discount_percent", "25.5"))
                .add(json.createObjectNode().put("monthly_spend_above_usd", "0.40").put("discount_percent", "10"));
        return TestMessage.valid(PhasedSources.EVENTS, account, n.toString());
    }

    private TestMessage purchase(String account, String amount) {
        return TestMessage.valid(PhasedSources.EVENTS, account, event(account, "CREDITS_PURCHASED").put("amount_usd", amount).toString());
    }

    private int events;

    private ObjectNode event(String account, String type) {
        return json.createObjectNode().put("event_id", "evt-" + (++events)).put("account_id", account).put("type", type)
                .put("occurred_at", Instant.now().toString());
    }

    private TestMessage rateCard(String account, String model, String in, String out, long from) {
        ObjectNode n = json.createObjectNode().put("model", model).put("input_usd_per_1m", in).put("output_usd_per_1m", out)
                .put("effective_from", Instant.ofEpochMilli(from).toString()).put("account_id", account);
        return TestMessage.valid(PhasedSources.RATES, account + "/" + model + "/" + from, n.toString());
    }
}
