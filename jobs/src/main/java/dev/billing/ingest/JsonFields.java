package dev.billing.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.model.Money;
import dev.billing.model.RejectReason;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads the fields of a contract message, turning every violation into a {@link Rejection}. */
final class JsonFields {
    static final int MAX_ID_LENGTH = 256;
    /** No request is a trillion tokens; the cap keeps every hourly sum far inside 64 bits. */
    static final long MAX_TOKENS = 1_000_000_000_000L;
    /**
     * The earliest time a message may carry. Nothing was billed by this service before 2000, and a
     * floor far from the edges keeps every time exact on its way to PostgreSQL: pgjdbc converts a
     * {@code java.sql.Timestamp} through the JVM's hybrid Julian/Gregorian calendar, which shifts
     * instants before 1582-10-15 by days, and {@code timestamptz} ends at 4713 BC anyway.
     */
    static final Instant EARLIEST_TIME = Instant.parse("2000-01-01T00:00:00Z");
    /**
     * Times from here on are rejected: the contract writes times as RFC 3339 date-times, which
     * have four-digit years, so a later time could not be written back out (an alert, a status,
     * a dead letter) in the contract's own format.
     */
    static final Instant END_OF_TIME = LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
    /** Strict: a second document after the first, or a key given twice, makes a message ambiguous. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonFields() {}

    static ObjectNode object(byte[] value) throws Rejection {
        if (value == null || value.length == 0) {
            throw empty();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (IOException e) {
            throw notJson(e);
        }
        if (node == null || !node.isObject()) {
            throw notAnObject();
        }
        return (ObjectNode) node;
    }

    static Rejection empty() {
        return new Rejection(RejectReason.UNPARSEABLE_JSON, "empty message");
    }

    static Rejection notJson(IOException e) {
        return new Rejection(RejectReason.UNPARSEABLE_JSON, firstLine(e.getMessage()));
    }

    static Rejection notAnObject() {
        return new Rejection(RejectReason.UNPARSEABLE_JSON, "expected a JSON object");
    }

    static JsonNode required(JsonNode parent, String field) throws Rejection {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw missing(field);
        }
        return node;
    }

    static String id(JsonNode parent, String field) throws Rejection {
        JsonNode node = required(parent, field);
        if (!node.isTextual()) {
            throw notAString(field);
        }
        return checkId(field, node.textValue());
    }

    static String optionalId(JsonNode parent, String field) throws Rejection {
        JsonNode node = parent.get(field);
        return node == null || node.isNull() ? null : id(parent, field);
    }

    static long tokens(JsonNode parent, String field) throws Rejection {
        JsonNode node = required(parent, field);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw notTokens(field, node.toString());
        }
        return checkTokens(field, node.longValue());
    }

    static long timestamp(JsonNode parent, String field) throws Rejection {
        JsonNode node = required(parent, field);
        if (!node.isTextual()) {
            throw notATime(field);
        }
        return parseTimestamp(field, node.textValue());
    }

    // The checks on values, shared by the tree reads above and the streaming UsageRecordReader:
    // both paths give the same reason and message for the same value.

    /** An absent field and a JSON null are the same to the contract. */
    static Rejection missing(String field) {
        return new Rejection(RejectReason.MISSING_FIELD, "missing field '" + field + "'");
    }

    static Rejection notAString(String field) {
        return new Rejection(RejectReason.INVALID_FIELD, "'" + field + "' must be a string");
    }

    /** @param json the value as JSON text, quoted if a string, for the message */
    static Rejection notTokens(String field, String json) {
        return new Rejection(RejectReason.INVALID_FIELD,
                "'" + field + "' must be an integer within 64 bits, got " + abbreviate(json));
    }

    static Rejection notATime(String field) {
        return new Rejection(RejectReason.INVALID_FIELD, "'" + field + "' must be an ISO-8601 string");
    }

    /** The id {@code text} of {@code field} if it can be stored and keyed. */
    static String checkId(String field, String text) throws Rejection {
        if (text.isBlank()) {
            throw new Rejection(RejectReason.MISSING_FIELD, "'" + field + "' is empty");
        }
        if (text.length() > MAX_ID_LENGTH) {
            throw new Rejection(RejectReason.INVALID_FIELD,
                    "'" + field + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        String unstorable = Ids.unstorable(text);
        if (unstorable != null) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'" + field + "' " + unstorable);
        }
        return text;
    }

    /** A token count read as a 64-bit integer, if it is one a request can have. */
    static long checkTokens(String field, long value) throws Rejection {
        if (value < 0) {
            throw new Rejection(RejectReason.NEGATIVE_TOKENS, "'" + field + "' is negative: " + value);
        }
        if (value > MAX_TOKENS) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'" + field + "' is above " + MAX_TOKENS + " tokens");
        }
        return value;
    }

    /** A time in [{@link #EARLIEST_TIME}, {@link #END_OF_TIME}): one a message may carry. */
    static boolean accepted(Instant at) {
        return !at.isBefore(EARLIEST_TIME) && at.isBefore(END_OF_TIME);
    }

    /** The epoch millis of an RFC 3339 time inside the range every sink can store. */
    static long parseTimestamp(String field, String text) throws Rejection {
        Instant at;
        try {
            at = IsoTimes.parse(text);
        } catch (DateTimeParseException e) {
            throw new Rejection(RejectReason.INVALID_FIELD,
                    "'" + field + "' is not an ISO-8601 time: " + abbreviate(text));
        }
        if (!accepted(at)) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'" + field + "' is outside " + EARLIEST_TIME
                    + " .. 9999-12-31: " + abbreviate(text));
        }
        return at.toEpochMilli();
    }

    static BigDecimal requiredUsd(JsonNode parent, String field) throws Rejection {
        return usd(required(parent, field), field);
    }

    /** A decimal-string amount; {@code node} is the value itself. */
    static BigDecimal usd(JsonNode node, String field) throws Rejection {
        if (!node.isTextual()) {
            throw new Rejection(RejectReason.INVALID_FIELD,
                    "'" + field + "' must be a decimal string such as \"5.00\", got " + abbreviate(node.toString()));
        }
        try {
            return Money.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new Rejection(RejectReason.INVALID_AMOUNT, "'" + field + "': " + e.getMessage());
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not JSON";
        }
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }
}
