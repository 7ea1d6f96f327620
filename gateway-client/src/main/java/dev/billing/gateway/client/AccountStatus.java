package dev.billing.gateway.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of the {@code account-status} topic (schemas/account-status.schema.json): whether
 * the billing job lets the account be served, and why not. {@code version} grows with every
 * status of the account, so of two messages the one with the higher version is the newer.
 *
 * @param balanceUsd credits minus spend when the job decided; null when the message has none
 * @param monthSpendUsd spend in the UTC month when the job decided; null when the message has none
 * @param asOf when the job decided; null when the message has none
 * @param usagePosition the newest usage record of the account that {@code balanceUsd} includes; null when the
 *     message names none (the job has taken no usage of the account yet, or is older than the field)
 */
public record AccountStatus(String accountId, boolean blocked, List<BlockReason> reasons, BigDecimal balanceUsd,
        BigDecimal monthSpendUsd, long version, Instant asOf, UsagePosition usagePosition) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A blocked status always has a reason ({@link BlockReason#UNRECOGNIZED} if none is given), an active one none. */
    public AccountStatus {
        reasons = !blocked ? List.of() : reasons.isEmpty() ? List.of(BlockReason.UNRECOGNIZED) : List.copyOf(reasons);
    }

    /** A status that names no usage position. */
    public AccountStatus(String accountId, boolean blocked, List<BlockReason> reasons, BigDecimal balanceUsd,
            BigDecimal monthSpendUsd, long version, Instant asOf) {
        this(accountId, blocked, reasons, balanceUsd, monthSpendUsd, version, asOf, null);
    }

    /**
     * Reads a message value. Unknown fields are ignored, as the schema asks of consumers, so the
     * job can add fields without breaking gateways.
     *
     * @throws IllegalArgumentException when the value is not a status message
     */
    public static AccountStatus fromJson(byte[] value) {
        JsonNode json;
        try {
            json = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String accountId = text(json, "account_id");
        if (accountId == null || accountId.isEmpty()) {
            throw new IllegalArgumentException("no account_id");
        }
        String status = text(json, "status");
        boolean blocked;
        if ("BLOCKED".equals(status)) {
            blocked = true;
        } else if ("ACTIVE".equals(status)) {
            blocked = false;
        } else {
            throw new IllegalArgumentException("status must be ACTIVE or BLOCKED, not " + status);
        }
        JsonNode version = json.get("version");
        if (version == null || !version.canConvertToExactIntegral() || !version.canConvertToLong()) {
            throw new IllegalArgumentException("version must be an integer");
        }
        return new AccountStatus(accountId, blocked, blocked ? reasons(json) : List.of(),
                usd(json, "balance_usd"), usd(json, "month_spend_usd"), version.longValue(), instant(json, "as_of"),
                usagePosition(json));
    }

    private static UsagePosition usagePosition(JsonNode json) {
        JsonNode partition = json.get("usage_partition");
        JsonNode offset = json.get("usage_offset");
        if (partition == null || offset == null || partition.isNull() || offset.isNull()) {
            return null;
        }
        if (!partition.canConvertToInt() || !offset.canConvertToLong() || partition.intValue() < 0 || offset.longValue() < 0) {
            throw new IllegalArgumentException("usage_partition and usage_offset must be non-negative integers");
        }
        return new UsagePosition(partition.intValue(), offset.longValue());
    }

    /** The reasons array, else the single reason. */
    private static List<BlockReason> reasons(JsonNode json) {
        List<BlockReason> out = new ArrayList<>();
        JsonNode reasons = json.get("reasons");
        if (reasons != null && reasons.isArray()) {
            for (JsonNode r : reasons) {
                BlockReason reason = BlockReason.fromWire(r.asText());
                if (!out.contains(reason)) {
                    out.add(reason);
                }
            }
        }
        String single = text(json, "reason");
        if (out.isEmpty() && single != null) {
            out.add(BlockReason.fromWire(single));
        }
        return out;
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static BigDecimal usd(JsonNode json, String field) {
        String s = text(json, field);
        if (s == null) {
            return null;
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a decimal string, not " + s);
        }
    }

    private static Instant instant(JsonNode json, String field) {
        String s = text(json, field);
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 instant, not " + s);
        }
    }
}
