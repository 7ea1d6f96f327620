package dev.billing.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.DeadLetter;
import dev.billing.model.RateCard;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseFunctionTest {
    private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    private static final String AT = "2026-11-29T11:00:00Z";

    @Test
    void validUsageRecordPassesWithItsSource() throws Exception {
        var harness = usageHarness();
        byte[] bytes = usage("r1", "acct", "llama-3.1-8b", "125", "320", "445", "\"" + AT + "\"");
        harness.processElement(record(bytes), NOW);

        UsageRecord r = harness.extractOutputValues().get(0);
        assertThat(r.requestId).isEqualTo("r1");
        assertThat(r.promptTokens).isEqualTo(125);
        assertThat(r.completionTokens).isEqualTo(320);
        assertThat(r.completedAtMs).isEqualTo(Instant.parse(AT).toEpochMilli());
        assertThat(r.source.value).isEqualTo(bytes);
        assertThat(deadLetters(harness)).isEmpty();
    }

    @Test
    void aReplayJudgesTheFutureByEachRecordsKafkaTimestampNotByTheClock() throws Exception {
        // three hours ahead of the Kafka timestamp; the clock of the replay is a day later
        String ahead = "\"" + Instant.ofEpochMilli(NOW).plus(Duration.ofHours(3)) + "\"";
        String behind = "\"" + Instant.ofEpochMilli(NOW).plus(Duration.ofHours(1)) + "\"";
        var replay = ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseFunction<>(new UsageRecordParser(Duration.ofHours(2)), true));
        replay.setProcessingTime(NOW + Duration.ofDays(1).toMillis());

        replay.processElement(record(usage("r1", "a", "m", "1", "1", "2", ahead)), NOW);
        replay.processElement(record(usage("r2", "a", "m", "1", "1", "2", behind)), NOW);

        assertThat(deadLetters(replay)).extracting(d -> d.reason).containsExactly(RejectReason.FUTURE_TIMESTAMP);
        assertThat(replay.extractOutputValues()).extracting(r -> r.requestId).containsExactly("r2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated JSON             | {\"request_id\": \"r1\", \"acc                                       | UNPARSEABLE_JSON",
        "not an object              | [1, 2]                                                                  | UNPARSEABLE_JSON",
        "missing usage              | {\"request_id\":\"r\",\"account_id\":\"a\",\"model\":\"m\",\"completed_at\":\"" + AT + "\"} | MISSING_FIELD",
        "empty account id           | " + "{\"request_id\":\"r\",\"account_id\":\"\",\"model\":\"m\"}      | MISSING_FIELD",
        "null request id            | {\"request_id\":null,\"account_id\":\"a\",\"model\":\"m\"}            | MISSING_FIELD",
        "id of wrong type           | {\"request_id\":7,\"account_id\":\"a\",\"model\":\"m\"}               | INVALID_FIELD",
    })
    void malformedUsageIsDeadLettered(String what, String json, RejectReason reason) throws Exception {
        assertRejected(usageHarness(), json.trim().getBytes(StandardCharsets.UTF_8), reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "negative tokens        | -1   | 5   | 4    | '\"" + AT + "\"'                 | NEGATIVE_TOKENS",
        "total is not the sum   | 10   | 5   | 16   | '\"" + AT + "\"'                 | TOKEN_COUNT_MISMATCH",
        "tokens as a string     | '\"10\"' | 5 | 15 | '\"" + AT + "\"'                 | INVALID_FIELD",
        "fractional tokens      | 1.5  | 5   | 6.5  | '\"" + AT + "\"'                 | INVALID_FIELD",
        "beyond 64 bits         | 99999999999999999999 | 0 | 0 | '\"" + AT + "\"'    | INVALID_FIELD",
        "above a trillion       | 1000000000001 | 0 | 1000000000001 | '\"" + AT + "\"' | INVALID_FIELD",
        "sum overflows          | 9223372036854775807 | 1 | 0 | '\"" + AT + "\"'     | INVALID_FIELD",
        "bad timestamp          | 10   | 5   | 15   | '\"yesterday\"'                  | INVALID_FIELD",
        "timestamp as a number  | 10   | 5   | 15   | 1764417600000                    | INVALID_FIELD",
        "far in the future      | 10   | 5   | 15   | '\"2026-11-29T14:00:01Z\"'       | FUTURE_TIMESTAMP",
    })
    void invalidUsageIsDeadLettered(String what, String prompt, String completion, String total, String at,
            RejectReason reason) throws Exception {
        assertRejected(usageHarness(), usage("r", "a", "m", prompt, completion, total, at), reason);
    }

    /** The bounds that keep every value storable let through what lies just inside them. */
    @Test
    void valuesJustInsideTheStorableBoundsPass() throws Exception {
        var usage = usageHarness();
        usage.processElement(record(usage("r-\ud83d\ude42", "\u8d26\u6237-\ud83d\ude42", "m\\u0001", "1", "1", "2",
                "\"2000-01-01T00:00:00Z\"")), NOW);
        UsageRecord r = usage.extractOutputValues().get(0);
        assertThat(r.accountId).isEqualTo("账户-🙂");
        assertThat(r.model).isEqualTo("m\u0001"); // a control character other than NUL is storable text
        assertThat(r.completedAtMs).isEqualTo(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli());

        var events = atNow(ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseFunction<>(new AccountEventParser(new BigDecimal("5.00")))));
        events.processElement(record(event("CREDITS_PURCHASED", ",\"amount_usd\":\"1000000000.000000\"")), NOW);
        events.processElement(record(event("CREDITS_ADJUSTED", ",\"amount_usd\":\"-1000000000\"")), NOW);
        assertThat(events.extractOutputValues()).extracting(e -> e.amountUsd)
                .containsExactly(new BigDecimal("1000000000.000000"), new BigDecimal("-1000000000"));

        var rates = atNow(ProcessFunctionTestHarnesses.forProcessFunction(new ParseFunction<>(new RateCardParser())));
        rates.processElement(record(("{\"model\":\"m\",\"input_usd_per_1m\":\"1000000000\",\"output_usd_per_1m\":\"0\","
                + "\"effective_from\":\"9999-12-31T23:59:59.999Z\"}").getBytes(StandardCharsets.UTF_8)), NOW);
        assertThat(rates.extractOutputValues()).extracting(c -> c.inputUsdPer1m).containsExactly(new BigDecimal("1000000000"));
        assertThat(deadLetters(usage)).isEmpty();
        assertThat(deadLetters(events)).isEmpty();
        assertThat(deadLetters(rates)).isEmpty();
    }

    @Test
    void emptyAndNullMessagesAreDeadLettered() throws Exception {
        assertRejected(usageHarness(), new byte[0], RejectReason.UNPARSEABLE_JSON);
        assertRejected(usageHarness(), null, RejectReason.UNPARSEABLE_JSON);
    }

    @Test
    void accountEventsAreParsedWithExactAmounts() throws Exception {
        var harness = atNow(ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseFunction<>(new AccountEventParser(new BigDecimal("5.00")))));
        harness.processElement(record(event("CREDITS_PURCHASED", ",\"amount_usd\":\"5.000001\"")), NOW);
        harness.processElement(record(event("CREDITS_ADJUSTED", ",\"amount_usd\":\"-0.10\"")), NOW);
        harness.processElement(record(event("LIMITS_SET",
                ",\"monthly_hard_limit_usd\":\"100\",\"alert_thresholds_usd\":[\"50\",\"10.5\",\"50.00\"]")), NOW);
        harness.processElement(record(event("VOLUME_DISCOUNTS_SET", ",\"volume_discounts\":["
                + "{\"monthly_spend_above_usd\":\"1000\",\"discount_percent\":\"15\"},"
                + "{\"monthly_spend_above_usd\":\"100.00\",\"discount_percent\":\"12.5\"}]")), NOW);

        List<AccountEvent> events = harness.extractOutputValues();
        assertThat(events).extracting(e -> e.type).containsExactly(AccountEventType.CREDITS_PURCHASED,
                AccountEventType.CREDITS_ADJUSTED, AccountEventType.LIMITS_SET, AccountEventType.VOLUME_DISCOUNTS_SET);
        assertThat(events.get(0).amountUsd).isEqualTo(new BigDecimal("5.000001"));
        assertThat(events.get(1).amountUsd).isEqualTo(new BigDecimal("-0.10"));
        // one threshold per amount: "50" and "50.00" would otherwise raise the same alert twice
        assertThat(events.get(2).alertThresholdsUsd).containsExactly(new BigDecimal("10.5"), new BigDecimal("50"));
        assertThat(events.get(3).discountAboveUsd).containsExactly(new BigDecimal("100.00"), new BigDecimal("1000"));
        assertThat(events.get(3).discountPercent).containsExactly(new BigDecimal("12.5"), new BigDecimal("15"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown type            | ACCOUNT_DELETED   | ''                              | UNKNOWN_EVENT_TYPE",
        "purchase under minimum  | CREDITS_PURCHASED | ',\"amount_usd\":\"4.99\"'      | PURCHASE_BELOW_MINIMUM",
        "negative purchase       | CREDITS_PURCHASED | ',\"amount_usd\":\"-10.00\"'    | PURCHASE_BELOW_MINIMUM",
        "amount as a float       | CREDITS_PURCHASED | ',\"amount_usd\":10.5'          | INVALID_FIELD",
        "amount missing          | CREDITS_ADJUSTED  | ''                              | MISSING_FIELD",
        "seven decimals          | CREDITS_ADJUSTED  | ',\"amount_usd\":\"0.0000001\"' | INVALID_AMOUNT",
        "exponent form           | CREDITS_PURCHASED | ',\"amount_usd\":\"1e3\"'       | INVALID_AMOUNT",
        "negative limit          | LIMITS_SET        | ',\"monthly_hard_limit_usd\":\"-1\"' | INVALID_AMOUNT",
        "discount over 100 %     | VOLUME_DISCOUNTS_SET | ',\"volume_discounts\":[{\"monthly_spend_above_usd\":\"1\",\"discount_percent\":\"100.01\"}]' | INVALID_AMOUNT",
        "discount of 3 decimals  | VOLUME_DISCOUNTS_SET | ',\"volume_discounts\":[{\"monthly_spend_above_usd\":\"1\",\"discount_percent\":\"10.125\"}]' | INVALID_AMOUNT",
        "two tiers at one bound  | VOLUME_DISCOUNTS_SET | ',\"volume_discounts\":[{\"monthly_spend_above_usd\":\"1\",\"discount_percent\":\"5\"},{\"monthly_spend_above_usd\":\"1.0\",\"discount_percent\":\"6\"}]' | INVALID_FIELD",
        "tier without percent    | VOLUME_DISCOUNTS_SET | ',\"volume_discounts\":[{\"monthly_spend_above_usd\":\"1\"}]' | MISSING_FIELD",
    })
    void invalidAccountEventsAreDeadLettered(String what, String type, String extra, RejectReason reason)
            throws Exception {
        assertRejected(atNow(ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseFunction<>(new AccountEventParser(new BigDecimal("5.00"))))), event(type, extra), reason);
    }

    @Test
    void rateCardsAreParsedAndBadOnesDeadLettered() throws Exception {
        var harness = atNow(ProcessFunctionTestHarnesses.forProcessFunction(new ParseFunction<>(new RateCardParser())));
        harness.processElement(record(rate("\"0.123456\"", ",\"account_id\":\"vip\"")), NOW);
        RateCard card = harness.extractOutputValues().get(0);
        assertThat(card.inputUsdPer1m).isEqualTo(new BigDecimal("0.123456"));
        assertThat(card.accountId).isEqualTo("vip");

        assertRejected(harness, rate("0.1", ""), RejectReason.INVALID_FIELD);
        assertRejected(harness, rate("\"-0.1\"", ""), RejectReason.INVALID_AMOUNT);
        assertRejected(harness, rate("\"0.1234567\"", ""), RejectReason.INVALID_AMOUNT);
    }

    private static <T> void assertRejected(OneInputStreamOperatorTestHarness<SourceRecord, T> harness, byte[] bytes,
            RejectReason reason) throws Exception {
        int before = deadLetters(harness).size();
        int passedBefore = harness.extractOutputValues().size();
        SourceRecord source = record(bytes);
        harness.processElement(source, NOW);
        List<DeadLetter> dead = deadLetters(harness);
        assertThat(dead).hasSize(before + 1);
        DeadLetter d = dead.get(dead.size() - 1);
        assertThat(d.reason).as(d.detail).isEqualTo(reason);
        assertThat(d.source.value).isEqualTo(bytes);
        assertThat(d.detail).isNotBlank();
        assertThat(harness.extractOutputValues()).hasSize(passedBefore);
    }

    private static <T> List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<SourceRecord, T> harness) {
        var queue = harness.getSideOutput(ParseFunction.DEAD_LETTERS);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }

    private static OneInputStreamOperatorTestHarness<SourceRecord, UsageRecord> usageHarness() throws Exception {
        return atNow(ProcessFunctionTestHarnesses.forProcessFunction(
                new ParseFunction<>(new UsageRecordParser(Duration.ofHours(2)))));
    }

    private static <T> OneInputStreamOperatorTestHarness<SourceRecord, T> atNow(
            OneInputStreamOperatorTestHarness<SourceRecord, T> harness) throws Exception {
        harness.setProcessingTime(NOW);
        return harness;
    }

    private static SourceRecord record(byte[] value) {
        return new SourceRecord("t", 0, 42, NOW, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] usage(String requestId, String account, String model, String prompt, String completion,
            String total, String completedAt) {
        return ("{\"request_id\":\"" + requestId + "\",\"account_id\":\"" + account + "\",\"model\":\"" + model
                + "\",\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + total + "},\"completed_at\":" + completedAt + ",\"node_id\":\"n1\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] event(String type, String extra) {
        return ("{\"event_id\":\"e1\",\"account_id\":\"a\",\"type\":\"" + type + "\",\"occurred_at\":\"" + AT + "\""
                + extra + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] rate(String input, String extra) {
        return ("{\"model\":\"m\",\"input_usd_per_1m\":" + input + ",\"output_usd_per_1m\":\"0.2\",\"effective_from\":\""
                + AT + "\"" + extra + "}").getBytes(StandardCharsets.UTF_8);
    }
}
