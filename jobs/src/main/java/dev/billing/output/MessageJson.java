package dev.billing.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.Money;
import dev.billing.model.PaymentRequest;
import dev.billing.model.SourceRecord;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** The JSON of the messages the job writes (schemas/account-status, billing-alert, payment-request, dead-letter). */
public final class MessageJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Originals up to 2 MiB are kept (base64 makes them 2.7 MiB, inside the dead-letter topic's
     * 4 MiB message limit); a larger one could never be written and would stop the job, so it
     * is referred to by its source coordinates only.
     */
    static final int MAX_ORIGINAL_BYTES = 2 * 1024 * 1024;
    /** The readable copy is only for messages small enough to read. */
    static final int MAX_ORIGINAL_TEXT_BYTES = 64 * 1024;
    /** The dead-letter topic's message size limit, set when the job creates it. */
    public static final int DEAD_LETTER_MAX_BYTES = 4 * 1024 * 1024;

    private MessageJson() {}

    public static byte[] status(AccountStatus s) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("account_id", s.accountId);
        json.put("status", s.status);
        json.put("reason", s.reason);
        ArrayNode reasons = json.putArray("reasons");
        if (s.reasons != null && !s.reasons.isEmpty()) {
            for (String r : s.reasons.split(",")) {
                reasons.add(r);
            }
        }
        json.put("balance_usd", Money.format(s.balanceUsd));
        json.put("month_spend_usd", Money.format(s.monthSpendUsd));
        json.put("version", s.version);
        json.put("as_of", Instant.ofEpochMilli(s.asOfMs).toString());
        if (s.usageOffset >= 0) {
            json.put("usage_partition", s.usagePartition);
            json.put("usage_offset", s.usageOffset);
        }
        return write(json);
    }

    public static byte[] alert(BillingAlert a) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("alert_id", a.alertId);
        json.put("account_id", a.accountId);
        json.put("type", a.type);
        json.put("threshold_usd", Money.format(a.thresholdUsd));
        json.put("month", a.month);
        json.put("month_spend_usd", Money.format(a.monthSpendUsd));
        json.put("balance_usd", Money.format(a.balanceUsd));
        json.put("occurred_at", Instant.ofEpochMilli(a.occurredAtMs).toString());
        return write(json);
    }

    public static byte[] paymentRequest(PaymentRequest r) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("request_id", r.requestId);
        json.put("account_id", r.accountId);
        json.put("amount_usd", Money.format(r.amountUsd));
        json.put("below_usd", Money.format(r.belowUsd));
        json.put("balance_usd", Money.format(r.balanceUsd));
        json.put("occurred_at", Instant.ofEpochMilli(r.occurredAtMs).toString());
        return write(json);
    }

    public static byte[] deadLetter(DeadLetter d) {
        SourceRecord src = d.source;
        ObjectNode json = MAPPER.createObjectNode();
        json.put("reason", d.reason.name());
        json.put("detail", d.detail);
        json.put("source_topic", src.topic);
        json.put("source_partition", src.partition);
        json.put("source_offset", src.offset);
        json.put("source_timestamp", Instant.ofEpochMilli(src.timestampMs).toString());
        json.put("key_base64", src.key == null ? null : Base64.getEncoder().encodeToString(src.key));
        boolean keepBytes = src.value != null && src.value.length <= MAX_ORIGINAL_BYTES;
        json.put("original_base64", keepBytes ? Base64.getEncoder().encodeToString(src.value) : null);
        json.put("original_text", keepBytes && src.value.length <= MAX_ORIGINAL_TEXT_BYTES ? utf8OrNull(src.value) : null);
        json.put("rejected_at", Instant.ofEpochMilli(d.rejectedAtMs).toString());
        return write(json);
    }

    private static String utf8OrNull(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] write(ObjectNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
