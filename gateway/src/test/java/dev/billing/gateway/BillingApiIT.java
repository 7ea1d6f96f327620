package dev.billing.gateway;

import static dev.billing.gateway.BillingStack.JSON;
import static dev.billing.gateway.BillingStack.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The billing API against the real billing job (MiniCluster), a real KRaft broker and the real
 * PostgreSQL. Expected money is computed here from the tokens each response reports and the
 * pricing page's rates, never read back from the system; every answer is checked against the
 * OpenAPI document ({@link OpenApiCheck}).
 */
class BillingApiIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The pricing page's list prices, $ per million tokens, in and out alike. */
    private static final Map<String, BigDecimal> RATE = Map.of(
            "deepseek-v3", new BigDecimal("0.25"),
            "llama-3.1-8b", new BigDecimal("0.05"));
    private static final BigDecimal MILLION = new BigDecimal("1000000");
    private static final BigDecimal FREE_CREDITS = new BigDecimal("5.00");

    private static BillingStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new BillingStack("it_billing_api");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aPurchaseIsCreditedOnlyOnceItsPaymentSucceedsOnceForARetryAndBalanceAndUsageAreExact() throws Exception {
        String account = "acct-api-money";
        // an alert threshold opens the account ($5.00 of free credits) without spending
        HttpResponse<String> limits = stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":null,\"alert_thresholds_usd\":[\"900.00\"]}");
        assertThat(limits.statusCode()).as(limits.body()).isEqualTo(202);
        Await.until("the account is open", TIMEOUT, () -> stack.balance(account) != null
                && decimal(stack.balance(account), "credits_usd").compareTo(FREE_CREDITS) == 0);

        // a purchase and its retry: one payment request, pending
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = buy(account, "10.00", key);
        HttpResponse<String> retry = buy(account, "10.00", key);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
        JsonNode purchase = JSON.readTree(first.body());
        String requestId = purchase.get("request_id").asText();
        assertThat(JSON.readTree(retry.body()).get("request_id").asText()).isEqualTo(requestId);
        assertThat(purchase.get("status").asText()).isEqualTo("pending");
        assertThat(purchase.get("amount_usd").asText()).isEqualTo("10.00");
        JsonNode request = stack.paymentRequest(account, requestId);
        assertThat(request.get("source").asText()).isEqualTo("PURCHASE");
        assertThat(request.get("amount_usd").asText()).isEqualTo("10.00");
        assertThat(stack.paymentRequests(account)).as("the retry makes no second request").hasSize(1);
        assertThat(message(expect(409, buy(account, "12.00", key)))).contains("Idempotency-Key was used for a purchase of $10.00");

        // nothing credits it before the payment: a later event of the account is applied, the credits are not
        HttpResponse<String> later = stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":null,\"alert_thresholds_usd\":[\"950.00\"]}");
        assertThat(later.statusCode()).as(later.body()).isEqualTo(202);
        Await.until("the later event is applied", TIMEOUT,
                () -> stack.balance(account).get("alert_thresholds_usd").toString().equals("[\"950.00\"]"));
        assertThat(decimal(stack.balance(account), "credits_usd")).as("no credit before the payment").isEqualByComparingTo(FREE_CREDITS);
        assertThat(stack.fixture.client.readAll(stack.options.eventsTopic)).as("the API sent no CREDITS_PURCHASED")
                .noneMatch(e -> account.equals(e.get("account_id").asText()) && e.get("type").asText().equals("CREDITS_PURCHASED"));
        JsonNode pending = stack.get(account, "/v1/billing/credits").get("data");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("request_id").asText()).isEqualTo(requestId);
        assertThat(pending.get(0).get("status").asText()).isEqualTo("pending");

        // the payments service charges it and answers, twice (a repeated answer): credited once
        stack.payments.paymentSucceeded(request, TIMEOUT);
        stack.payments.paymentSucceeded(request, TIMEOUT);
        Await.until("the purchase shows as credited", TIMEOUT,
                () -> stack.get(account, "/v1/billing/credits").get("data").get(0).get("status").asText().equals("credited"));
        JsonNode again = JSON.readTree(expect(202, buy(account, "10.00", key)).body());
        assertThat(again.get("status").asText()).as("a retry after the payment").isEqualTo("credited");
        assertThat(stack.paymentRequests(account)).as("still one request").hasSize(1);
        // a later purchase on the same partition: once it shows, the two answers before it have been applied (or dropped)
        stack.buyAndPay(account, "5.00");
        Await.until("the purchases show in the balance", TIMEOUT, () -> decimal(stack.balance(account), "credits_usd")
                .compareTo(new BigDecimal("15.00").add(FREE_CREDITS)) >= 0);
        assertThat(decimal(stack.balance(account), "credits_usd")).as("$5.00 free + $10.00 once + $5.00")
                .isEqualByComparingTo("20.00");

        // serve requests of two models; what they cost follows from the tokens each answer reports
        Map<String, long[]> byModel = new HashMap<>(); // model -> {requests, prompt, completion}
        BigDecimal spend = BigDecimal.ZERO;
        for (int i = 0; i < 6; i++) {
            String model = i % 3 == 2 ? "llama-3.1-8b" : "deepseek-v3";
            HttpResponse<String> r = stack.chat(account, "{\"model\":\"" + model + "\",\"max_tokens\":" + (39_000 + i)
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4_000 + 4 * i) + "\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode usage = JSON.readTree(r.body()).get("usage");
            long prompt = usage.get("prompt_tokens").asLong();
            long completion = usage.get("completion_tokens").asLong();
            long[] totals = byModel.computeIfAbsent(model, m -> new long[3]);
            totals[0]++;
            totals[1] += prompt;
            totals[2] += completion;
            spend = spend.add(cost(model, prompt, completion));
        }
        BigDecimal expectedSpend = spend;
        Await.until("the balance row bills every request", TIMEOUT,
                () -> decimal(stack.balance(account), "spend_usd").compareTo(expectedSpend) == 0);
        Await.until("the status and the row agree", TIMEOUT, () -> decimal(stack.balance(account), "balance_usd")
                .compareTo(new BigDecimal("20.00").subtract(expectedSpend)) == 0);
        JsonNode balance = stack.balance(account);
        assertThat(balance.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(balance.get("reasons")).isEmpty();
        assertThat(decimal(balance, "credits_usd")).isEqualByComparingTo("20.00");
        assertThat(decimal(balance, "month_spend_usd")).isEqualByComparingTo(expectedSpend);
        assertThat(decimal(balance, "free_credits_left_usd")).isEqualByComparingTo(FREE_CREDITS.subtract(expectedSpend));
        assertThat(balance.get("monthly_hard_limit_usd").isNull()).isTrue();
        assertThat(balance.get("alert_thresholds_usd").toString()).isEqualTo("[\"950.00\"]");
        System.out.printf("BALANCE: %s%n", balance);

        // usage by hour, day and month: each model's totals, list cost = cost (no discount)
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        for (String query : List.of(
                "granularity=hour&from=" + now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2)) + "&to="
                        + now.plus(Duration.ofHours(1)),
                "granularity=day&from=" + today.minusDays(1) + "&to=" + today.plusDays(1),
                "granularity=month&from=" + today.withDayOfMonth(1).minusMonths(1) + "&to=" + today.plusMonths(1).withDayOfMonth(1))) {
            JsonNode usage = stack.get(account, "/v1/billing/usage?" + query);
            Map<String, List<JsonNode>> lines = new HashMap<>();
            usage.get("data").forEach(l -> lines.computeIfAbsent(l.get("model").asText(), m -> new ArrayList<>()).add(l));
            assertThat(lines.keySet()).as(query).containsExactlyInAnyOrderElementsOf(byModel.keySet());
            for (Map.Entry<String, long[]> e : byModel.entrySet()) {
                long[] expected = e.getValue();
                BigDecimal expectedCost = cost(e.getKey(), expected[1], expected[2]);
                long requests = 0, prompt = 0, completion = 0;
                BigDecimal list = BigDecimal.ZERO, charged = BigDecimal.ZERO, discount = BigDecimal.ZERO;
                for (JsonNode l : lines.get(e.getKey())) {
                    requests += l.get("requests").asLong();
                    prompt += l.get("prompt_tokens").asLong();
                    completion += l.get("completion_tokens").asLong();
                    list = list.add(decimal(l, "list_cost_usd"));
                    charged = charged.add(decimal(l, "cost_usd"));
                    discount = discount.add(decimal(l, "discount_usd"));
                }
                assertThat(new long[] {requests, prompt, completion}).as(query + " " + e.getKey()).containsExactly(expected);
                assertThat(charged).as(query + " " + e.getKey()).isEqualByComparingTo(expectedCost);
                assertThat(list).isEqualByComparingTo(expectedCost);
                assertThat(discount).isEqualByComparingTo("0");
            }
        }
    }

    @Test
    void aLimitBlocksAtOnceShowsInTheBalanceAndTheAlertsAndLiftingItResumes() throws Exception {
        String account = "acct-api-limits";
        stack.buyAndPay(account, "10.00");
        Await.until("the account is open", TIMEOUT, () -> stack.balance(account) != null);
        BigDecimal spend = BigDecimal.ZERO;
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = stack.chat(account, "{\"model\":\"deepseek-v3\",\"max_tokens\":39000,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"" + "y".repeat(4_000) + "\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode u = JSON.readTree(r.body()).get("usage");
            spend = spend.add(cost("deepseek-v3", u.get("prompt_tokens").asLong(), u.get("completion_tokens").asLong()));
        }
        BigDecimal expectedSpend = spend;
        Await.until("the spend shows", TIMEOUT,
                () -> decimal(stack.balance(account), "month_spend_usd").compareTo(expectedSpend) == 0);

        // a hard limit at this month's spend, and an alert threshold below it
        String limit = expectedSpend.toPlainString();
        HttpResponse<String> set = stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":\"" + limit + "\",\"alert_thresholds_usd\":[\"0.015\",\"0.005\"]}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(202);
        assertThat(JSON.readTree(set.body()).get("alert_thresholds_usd").toString()).isEqualTo("[\"0.005\",\"0.015\"]");
        long setAt = System.nanoTime();
        Await.until("the balance says BLOCKED", TIMEOUT, () -> stack.balance(account).get("status").asText().equals("BLOCKED"));
        System.out.printf("LIMIT: the balance endpoint showed BLOCKED %.0f ms after PUT /v1/billing/limits%n",
                (System.nanoTime() - setAt) / 1e6);
        assertThat(stack.balance(account).get("reasons").toString()).isEqualTo("[\"MONTHLY_LIMIT\"]");
        assertThat(stack.chat(account, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(402);
        Await.until("the row carries the limit and the thresholds", TIMEOUT,
                () -> !stack.balance(account).get("monthly_hard_limit_usd").isNull());
        JsonNode balance = stack.balance(account);
        assertThat(decimal(balance, "monthly_hard_limit_usd")).isEqualByComparingTo(expectedSpend);
        assertThat(balance.get("alert_thresholds_usd").toString()).isEqualTo("[\"0.005\",\"0.015\"]");

        // both thresholds are below the month's spend: one alert each, in the gateway's recent alerts
        Await.until("both threshold alerts", TIMEOUT, () -> stack.get(account, "/v1/billing/alerts").get("data").size() >= 2);
        List<String> thresholds = new ArrayList<>();
        for (JsonNode alert : stack.get(account, "/v1/billing/alerts").get("data")) {
            assertThat(alert.get("type").asText()).isEqualTo("SPEND_THRESHOLD");
            assertThat(decimal(alert, "month_spend_usd")).isEqualByComparingTo(expectedSpend);
            thresholds.add(new BigDecimal(alert.get("threshold_usd").asText()).stripTrailingZeros().toPlainString());
        }
        assertThat(thresholds).containsExactlyInAnyOrder("0.005", "0.015");

        // lifting the limit resumes at once
        HttpResponse<String> lift = stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":null,\"alert_thresholds_usd\":null}");
        assertThat(lift.statusCode()).as(lift.body()).isEqualTo(202);
        Await.until("served again", TIMEOUT, () -> stack.chat(account,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode() == 200);
        Await.until("the balance says ACTIVE", TIMEOUT, () -> stack.balance(account).get("status").asText().equals("ACTIVE"));
    }

    @Test
    void autoTopUpAndLimitsGoToAccountEventsAsTheSchemaSays() throws Exception {
        String account = "acct-api-topup";
        HttpResponse<String> on = stack.call(account, "PUT", "/v1/billing/auto-topup",
                "{\"below_usd\":\"2.00\",\"amount_usd\":\"10.00\"}");
        assertThat(on.statusCode()).as(on.body()).isEqualTo(202);
        HttpResponse<String> off = stack.call(account, "PUT", "/v1/billing/auto-topup", "{\"enabled\":false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(202);
        assertThat(JSON.readTree(off.body()).get("enabled").asBoolean()).isFalse();
        HttpResponse<String> tooSmall = stack.call(account, "PUT", "/v1/billing/auto-topup",
                "{\"below_usd\":\"2.00\",\"amount_usd\":\"4.99\"}");
        assertThat(tooSmall.statusCode()).isEqualTo(400);
        assertThat(message(tooSmall)).contains("The minimum credit purchase is $5.00");
        JsonNode purchase = stack.buyAndPay(account, "7.50");
        HttpResponse<String> limits = stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":\"100\",\"alert_thresholds_usd\":[\"50.00\"]}");

        Map<String, JsonNode> sent = eventsOf(account, 4);
        JsonNode topUpOn = sent.get(JSON.readTree(on.body()).get("event_id").asText());
        assertThat(topUpOn.get("type").asText()).isEqualTo("AUTO_TOPUP_SET");
        assertThat(topUpOn.get("below_usd").asText()).isEqualTo("2.00");
        assertThat(topUpOn.get("amount_usd").asText()).isEqualTo("10.00");
        JsonNode topUpOff = sent.get(JSON.readTree(off.body()).get("event_id").asText());
        assertThat(topUpOff.get("below_usd").isNull()).isTrue();
        assertThat(topUpOff.get("amount_usd").isNull()).isTrue();

        JsonNode bought = sent.get("payment/" + purchase.get("request_id").asText());
        assertThat(bought.get("type").asText()).isEqualTo("CREDITS_PURCHASED");
        assertThat(bought.get("amount_usd").asText()).isEqualTo("7.50");
        JsonNode limitsSet = sent.get(JSON.readTree(limits.body()).get("event_id").asText());
        assertThat(limitsSet.get("monthly_hard_limit_usd").asText()).isEqualTo("100");

        // every event as the job's contract says, and the job took each one: the purchase, sent after
        // the auto top-up's two, shows in the balance, and nothing from account-events was dead-lettered
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                JSON.readTree(Files.readString(Path.of("..", "schemas", "account-event.schema.json"))));
        sent.values().forEach(event -> assertThat(schema.validate(event)).as(event.toString()).isEmpty());
        Await.until("the purchase shows in the balance", TIMEOUT, () -> stack.balance(account) != null
                && decimal(stack.balance(account), "credits_usd").compareTo(new BigDecimal("12.50")) == 0);
        assertThat(stack.fixture.deadLetters(stack.options.dlqTopic).keySet())
                .noneMatch(where -> where.topic().equals(stack.options.eventsTopic));
    }

    @Test
    void badRequestsAreRefusedWithMessagesThatSayWhatToDo() throws Exception {
        String account = "acct-api-errors";
        HttpResponse<String> small = buy(account, "4.99", "k1");
        assertThat(small.statusCode()).isEqualTo(400);
        assertThat(message(small)).contains("The minimum credit purchase is $5.00.");
        HttpResponse<String> noKey = stack.call(account, "POST", "/v1/billing/credits", "{\"amount_usd\":\"10.00\"}");
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(message(noKey)).contains("Idempotency-Key");
        HttpResponse<String> number = stack.call(account, "POST", "/v1/billing/credits", "{\"amount_usd\":10.00}",
                "Idempotency-Key", "k2");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(message(number)).contains("decimal string").contains("not a JSON number");
        HttpResponse<String> decimals = buy(account, "10.0000001", "k3");
        assertThat(decimals.statusCode()).isEqualTo(400);
        assertThat(message(decimals)).contains("at most 6 decimals");

        assertThat(message(expect(400, stack.call(account, "GET", "/v1/billing/usage?granularity=week", null))))
                .contains("hour, day or month");
        assertThat(message(expect(400, stack.call(account, "GET", "/v1/billing/usage?from=2026-03-02&to=2026-03-01", null))))
                .contains("must be before");
        assertThat(message(expect(400, stack.call(account, "GET",
                "/v1/billing/usage?granularity=hour&from=2026-01-01&to=2026-03-01", null))))
                .contains("longer than 31 days");
        assertThat(message(expect(400, stack.call(account, "GET", "/v1/billing/usage?from=yesterday", null))))
                .contains("ISO-8601");
        assertThat(message(expect(400, stack.call(account, "PUT", "/v1/billing/limits",
                "{\"monthly_hard_limit_usd\":\"-1\"}")))).contains("non-negative");

        assertThat(message(expect(401, stack.call(null, "GET", "/v1/billing/balance", null)))).contains("Bearer");
        assertThat(expect(405, stack.call(account, "DELETE", "/v1/billing/credits", null)).headers()
                .firstValue("Allow")).hasValue("GET, POST");
        expect(404, stack.call(account, "GET", "/v1/billing/nothing-here", null));
        assertThat(message(expect(404, stack.call(account, "GET", "/v1/billing/balance", null))))
                .as("an account the job has not seen").contains("first request or purchase");
        JsonNode openApi = JSON.readTree(expect(200, stack.call(null, "GET", "/v1/billing/openapi.json", null)).body());
        assertThat(openApi).isEqualTo(stack.openApi.document());
    }

    private static HttpResponse<String> buy(String account, String amount, String idempotencyKey) throws Exception {
        return stack.call(account, "POST", "/v1/billing/credits", "{\"amount_usd\":\"" + amount + "\"}",
                "Idempotency-Key", idempotencyKey);
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return r;
    }

    private static String message(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).get("error").get("message").asText();
    }

    private static BigDecimal cost(String model, long prompt, long completion) {
        return RATE.get(model).multiply(BigDecimal.valueOf(prompt + completion)).divide(MILLION);
    }

    private static BigDecimal decimal(JsonNode json, String field) {
        JsonNode n = json == null ? null : json.get(field);
        return n == null || n.isNull() ? BigDecimal.ZERO : new BigDecimal(n.asText());
    }

    /** The account's events on account-events by event_id, once there are {@code count} of them. */
    private static Map<String, JsonNode> eventsOf(String account, int count) throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        Await.until(count + " events of " + account, TIMEOUT, () -> {
            for (JsonNode event : stack.fixture.client.readAll(stack.options.eventsTopic)) {
                if (account.equals(event.get("account_id").asText())) {
                    out.put(event.get("event_id").asText(), event);
                }
            }
            return out.size() >= count;
        });
        return out;
    }
}
