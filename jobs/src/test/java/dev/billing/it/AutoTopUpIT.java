package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * Auto top-up through the whole job, a real broker and PostgreSQL, with a simulated payments
 * service answering every request (twice). Spend comes in phases; each phase takes an account with
 * auto top-up below its level at most once, so the crossings, the requests and the final balances
 * follow from the input alone and are computed by the {@link LedgerModel}. The job is cancelled while the last
 * phase's requests may sit in an open transaction and restarted from its retained checkpoint:
 * every crossing must still give exactly one request, with the same deterministic id.
 */
class AutoTopUpIT extends PipelineTestBase {
    private static final String[][] PRICES = {
        {"qwen3.5-35b-a3b", "0.15", "0.15"}, {"llama-3.3-70b", "0.20", "0.20"},
        {"deepseek-v3", "0.25", "0.25"}, {"llama-3.1-8b", "0.05", "0.05"}};
    private static final BigDecimal MILLION = new BigDecimal(1_000_000);
    private static final int RANDOM_ACCOUNTS = 8;
    private static final String BLOCKED = "topup-blocked";

    private final ObjectMapper json = new ObjectMapper();
    private final LedgerModel model = new LedgerModel(System.currentTimeMillis());
    /** Each auto top-up account's level, to draw spend that crosses it or not. */
    private final Map<String, BigDecimal> levels = new LinkedHashMap<>();
    /** How many of the model's payment requests have been answered with a purchase. */
    private int landed;
    private long at;
    private int sequence;

    @Test
    void eachCrossingRequestsOneTopUpAcrossARestartAndTheBalancesAreExact() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("AutoTopUpIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        Random random = new Random(seed);
        at = System.currentTimeMillis() - 60_000;

        List<TestMessage> setup = new ArrayList<>();
        for (int i = 0; i < RANDOM_ACCOUNTS; i++) {
            BigDecimal level = BigDecimal.valueOf(100 + random.nextInt(300), 2); // 1.00 to 3.99
            BigDecimal amount = BigDecimal.valueOf(500 + random.nextInt(700), 2); // 5.00 to 11.99
            setup.add(autoTopUp(account(i), level.toPlainString(), amount.toPlainString()));
        }
        setup.add(autoTopUp(BLOCKED, "1.00", "5.00"));
        setup.add(autoTopUp("topup-off", "2.00", "10.00"));
        setup.add(autoTopUp("topup-off", null, null));
        TestMessage small = TestMessage.bad(Dataset.EVENTS, "topup-small",
                autoTopUpJson("topup-small", "2.00", "4.99").toString(), "PURCHASE_BELOW_MINIMUM");
        setup.add(small);
        model.open("topup-small");
        model.open("plain");

        JobOptions options = fixture.options("it_autotopup");
        // requests leave with their checkpoint: a longer interval keeps the last phase's requests in an
        // open transaction when the job is cancelled, so the restart has to make them again
        options.checkpointInterval = java.time.Duration.ofSeconds(4);
        KafkaTestClient client = fixture.client;
        JobClient job = PipelineFixture.start(options, "billing-autotopup-it");
        try (PaymentsResponder payments = new PaymentsResponder(fixture.kafka.bootstrapServers(),
                options.paymentRequestsTopic, options.eventsTopic)) {
            Map<KafkaTestClient.Sent, String> expectedDeadLetters = client.send(setup);
            // the settings before the spend: usage and events are separate topics, and a spend that
            // overtook "topup-off"'s switch-off would rightly cross its former level
            PipelineFixture.awaitTrue("a checkpoint past the settings",
                    () -> client.groupCaughtUp(options.groupId, options.eventsTopic));

            // phase 1: the blocked account goes below zero, the others spend with and without auto top-up
            List<TestMessage> phase1 = randomSpend(random);
            phase1.add(spend(BLOCKED, "deepseek-v3", 24_000_000, 0)); // $6.00 of $5.00: -1.00
            phase1.add(spend("topup-off", "deepseek-v3", 16_000_000, 0)); // 1.00, below its former level
            phase1.add(spend("topup-small", "deepseek-v3", 16_000_000, 0));
            phase1.add(spend("plain", "deepseek-v3", 18_000_000, 0)); // 0.50
            client.send(phase1);
            awaitPhase("phase 1", options, payments);

            client.send(randomSpend(random));
            awaitPhase("phase 2", options, payments);
            PipelineFixture.awaitTrue("a checkpoint past phase 2",
                    () -> client.groupCaughtUp(options.groupId, options.usageTopic)
                            && client.groupCaughtUp(options.groupId, options.eventsTopic));

            // phase 3, and a restart while its requests may be in an open transaction
            List<TestMessage> phase3 = randomSpend(random);
            phase3.add(spend(BLOCKED, "deepseek-v3", 20_000_000, 0)); // $5.00 of $4.00: -1.00 again
            client.send(phase3);
            PipelineFixture.awaitTrue("the blocked account blocked a second time", () -> fixture
                    .statusHistory(options.statusTopic, s -> s.get("status").asText())
                    .getOrDefault(BLOCKED, List.of()).stream().filter("BLOCKED"::equals).count() == 2);
            PipelineFixture.cancel(job);
            int beforeRestart = payments.requests().size();
            Configuration conf = JobConfiguration.of(options);
            Optional<String> checkpoint = JobConfiguration.resumeFromLatestCheckpoint(conf, options.checkpointDir);
            assertThat(checkpoint).as("a retained checkpoint to restart from").isPresent();
            job = BillingJob.environment(options, conf).executeAsync("billing-autotopup-it-restarted");
            awaitPhase("phase 3, across the restart", options, payments);
            System.out.println("AutoTopUpIT: " + model.topUpRequests().size() + " requests, " + beforeRestart
                    + " committed before the restart from " + checkpoint.get());

            List<String> published = new ArrayList<>();
            for (JsonNode r : fixture.readValid(options.paymentRequestsTopic, "payment-request")) {
                published.add(describe(r));
            }
            assertThat(published).as("each crossing requested once, nothing twice")
                    .containsExactlyInAnyOrderElementsOf(model.topUpRequests().stream().map(Object::toString).toList());
            assertThat(model.topUpRequests()).as("the dataset must cross levels").hasSizeGreaterThanOrEqualTo(RANDOM_ACCOUNTS);
            assertThat(fixture.deadLetters(options.dlqTopic)).isEqualTo(expectedDeadLetters);
            // its first status may leave in one bundle with its first block (the setup and phase 1 arrive together)
            List<String> blocks = List.of("BLOCKED", "ACTIVE", "BLOCKED", "ACTIVE");
            assertThat(fixture.statusHistory(options.statusTopic, s -> s.get("status").asText()).get(BLOCKED))
                    .as("blocked at zero twice, unblocked by each top-up")
                    .isIn(blocks, java.util.stream.Stream.concat(java.util.stream.Stream.of("ACTIVE"), blocks.stream()).toList());
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    /** Waits until the requests of the phase are answered and every balance is the model's, to the last digit. */
    private void awaitPhase(String phase, JobOptions options, PaymentsResponder payments) throws Exception {
        PipelineFixture.awaitEqual(phase + ": payment requests", () -> model.topUpRequests().size(),
                () -> payments.requests().size());
        // the payments service buys what each request of the phase asked for, once
        for (; landed < model.topUpRequests().size(); landed++) {
            LedgerModel.TopUpRequest r = model.topUpRequests().get(landed);
            model.purchase(r.account(), r.amount().toPlainString());
        }
        PipelineFixture.awaitEqual(phase + ": balances", this::expectedBalances, () -> balances(options));
    }

    /** Each auto top-up account spends this phase: below its level (2 in 3) or not, never twice. */
    private List<TestMessage> randomSpend(Random random) {
        List<TestMessage> out = new ArrayList<>();
        for (int i = 0; i < RANDOM_ACCOUNTS; i++) {
            String account = account(i);
            boolean cross = random.nextInt(3) != 0;
            // a record costs at most $1.25, less than any top-up, so one purchase lifts the
            // balance back above the level whenever it lands: one crossing per phase at most
            for (int n = 0; n < 400; n++) {
                String[] price = PRICES[random.nextInt(PRICES.length)];
                long prompt = random.nextInt(4_000_000);
                long completion = random.nextInt(1_000_000);
                BigDecimal cost = cost(price, prompt, completion);
                if (!cross && model.balance(account).subtract(cost).compareTo(levels.get(account)) < 0) {
                    break;
                }
                out.add(spend(account, price[0], prompt, completion));
                if (cross && model.balance(account).compareTo(levels.get(account)) < 0) {
                    break;
                }
            }
        }
        return out;
    }

    private TestMessage spend(String account, String model, long prompt, long completion) {
        String requestId = "req-" + (++sequence);
        this.model.usage(requestId, account, model, prompt, completion, at);
        ObjectNode n = UsageJson.of(requestId, account, model, prompt, completion, at, null);
        return TestMessage.valid(Dataset.USAGE, account, n.toString());
    }

    private static BigDecimal cost(String[] price, long prompt, long completion) {
        return new BigDecimal(price[1]).multiply(BigDecimal.valueOf(prompt))
                .add(new BigDecimal(price[2]).multiply(BigDecimal.valueOf(completion))).divide(MILLION);
    }

    private TestMessage autoTopUp(String account, String below, String amount) {
        model.autoTopUp(account, below, amount);
        if (below != null) {
            levels.put(account, new BigDecimal(below));
        }
        return TestMessage.valid(Dataset.EVENTS, account, autoTopUpJson(account, below, amount).toString());
    }

    private ObjectNode autoTopUpJson(String account, String below, String amount) {
        return json.createObjectNode().put("event_id", "setup-" + (++sequence)).put("account_id", account)
                .put("type", "AUTO_TOPUP_SET").put("occurred_at", Instant.ofEpochMilli(at).toString())
                .put("below_usd", below).put("amount_usd", amount);
    }

    private static String account(int i) {
        return String.format("topup-%02d", i);
    }

    private static String describe(JsonNode request) {
        return request.get("request_id").asText() + " " + request.get("account_id").asText() + " buys "
                + new BigDecimal(request.get("amount_usd").asText()).stripTrailingZeros().toPlainString() + " below "
                + new BigDecimal(request.get("below_usd").asText()).stripTrailingZeros().toPlainString() + " at "
                + new BigDecimal(request.get("balance_usd").asText()).stripTrailingZeros().toPlainString();
    }

    /** account_balance as account -> "credits|spend|balance", exact, scale-free. */
    private Map<String, String> balances(JobOptions options) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        fixture.query(options, "SELECT account_id, credits_usd, spend_usd, balance_usd FROM account_balance",
                rs -> out.put(rs.getString(1), row(rs.getBigDecimal(2), rs.getBigDecimal(3), rs.getBigDecimal(4))));
        return out;
    }

    private Map<String, String> expectedBalances() {
        Map<String, String> out = new TreeMap<>();
        model.balances().forEach((account, b) -> out.put(account, row(b.credits(), b.spend(), b.credits().subtract(b.spend()))));
        return out;
    }

    private static String row(BigDecimal credits, BigDecimal spend, BigDecimal balance) {
        return credits.stripTrailingZeros().toPlainString() + "|" + spend.stripTrailingZeros().toPlainString()
                + "|" + balance.stripTrailingZeros().toPlainString();
    }
}
