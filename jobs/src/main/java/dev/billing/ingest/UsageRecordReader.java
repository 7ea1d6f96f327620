package dev.billing.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.billing.model.RejectReason;
import java.io.IOException;

/**
 * The fields of a {@code usage-records} message, read in one streaming pass without building a
 * JSON tree (the tree was a tenth of the billing job's CPU). Unknown fields, at the top level or
 * in {@code usage}, are skipped unread.
 *
 * <p>Reads everything first and judges the values after: the whole message must be one
 * well-formed JSON object (no key twice at any depth, nothing after it) before any field is
 * checked, so a message that is malformed and has a bad field is UNPARSEABLE_JSON, and the fields
 * are checked in one fixed order whatever order they come in: the same reasons as a tree parse.
 */
final class UsageRecordReader {
    /** Strict: a key given twice makes a message ambiguous. Thread-safe, so one for the JVM. */
    private static final JsonFactory JSON = new JsonFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A value that is neither a string nor an integer within 64 bits, as shown in messages. */
    private record Other(String shown) {}

    /** What {@link #usage} holds when 'usage' is an object (its fields are read into this reader). */
    private static final Object AN_OBJECT = new Object();

    // Each value as the message gave it: null (absent or JSON null), a String, a Long or an Other.
    private Object requestId;
    private Object accountId;
    private Object model;
    private Object usage;
    private Object promptTokens;
    private Object completionTokens;
    private Object totalTokens;
    private Object completedAt;
    private Object nodeId;
    /** Whether a skipped value must still have its strings decoded: see {@link #skip}. */
    private final boolean decodeSkippedStrings;

    private UsageRecordReader(int length) {
        decodeSkippedStrings = length > JSON.streamReadConstraints().getMaxStringLength();
    }

    /** Reads the message; rejects it only if it is not a single JSON object. */
    static UsageRecordReader read(byte[] value) throws Rejection {
        if (value == null || value.length == 0) {
            throw JsonFields.empty();
        }
        UsageRecordReader r = new UsageRecordReader(value.length);
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw JsonFields.notAnObject();
            }
            r.readTopLevel(p);
            if (p.nextToken() != null) {
                throw new Rejection(RejectReason.UNPARSEABLE_JSON, "more JSON after the object");
            }
        } catch (IOException e) {
            throw JsonFields.notJson(e); // also a key given twice, a truncated message, nesting too deep
        }
        return r;
    }

    /** The fields up to the object's end; the parser throws on end of input before it. */
    private void readTopLevel(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "request_id" -> requestId = value(p, t);
                case "account_id" -> accountId = value(p, t);
                case "model" -> model = value(p, t);
                case "completed_at" -> completedAt = value(p, t);
                case "node_id" -> nodeId = value(p, t);
                case "usage" -> {
                    if (t == JsonToken.START_OBJECT) {
                        usage = AN_OBJECT;
                        readUsage(p);
                    } else {
                        usage = value(p, t);
                    }
                }
                default -> skip(p, t);
            }
        }
    }

    private void readUsage(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> promptTokens = value(p, t);
                case "completion_tokens" -> completionTokens = value(p, t);
                case "total_tokens" -> totalTokens = value(p, t);
                default -> skip(p, t);
            }
        }
    }

    /**
     * Past an unknown value at token {@code t}. Jackson checks its limit on a string's length only
     * when it decodes the string, and a skip decodes none. A message no longer than the limit in
     * bytes cannot hold a longer string (a character takes at least a byte), so it is skipped
     * unread; a longer one has every string decoded, to be rejected as a full parse rejects it.
     */
    private void skip(JsonParser p, JsonToken t) throws IOException {
        if (!decodeSkippedStrings) {
            p.skipChildren();
            return;
        }
        int depth = 0;
        do {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                p.getText();
            }
        } while (depth > 0 && (t = p.nextToken()) != null);
    }

    /** The value at token {@code t}, past its end when it is an object or array. */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                JsonParser.NumberType type = p.getNumberType();
                // a BIG_INTEGER is beyond 64 bits: kept as text, rejected when checked
                return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
                        ? (Object) p.getLongValue() : new Other(p.getText());
            case START_OBJECT:
                p.skipChildren();
                return new Other("an object");
            case START_ARRAY:
                p.skipChildren();
                return new Other("an array");
            default:
                return new Other(p.getText()); // a float, true, false
        }
    }

    // The checked values, each rejection as JsonFields gives it for a tree.

    String requestId() throws Rejection {
        return id("request_id", requestId);
    }

    String accountId() throws Rejection {
        return id("account_id", accountId);
    }

    String model() throws Rejection {
        return id("model", model);
    }

    /** Null when the message has no node id. */
    String nodeId() throws Rejection {
        return nodeId == null ? null : id("node_id", nodeId);
    }

    long promptTokens() throws Rejection {
        return tokens("prompt_tokens", promptTokens);
    }

    long completionTokens() throws Rejection {
        return tokens("completion_tokens", completionTokens);
    }

    long totalTokens() throws Rejection {
        return tokens("total_tokens", totalTokens);
    }

    long completedAtMs() throws Rejection {
        if (completedAt == null) {
            throw JsonFields.missing("completed_at");
        }
        if (!(completedAt instanceof String text)) {
            throw JsonFields.notATime("completed_at");
        }
        return JsonFields.parseTimestamp("completed_at", text);
    }

    private static String id(String field, Object value) throws Rejection {
        if (value == null) {
            throw JsonFields.missing(field);
        }
        if (!(value instanceof String text)) {
            throw JsonFields.notAString(field);
        }
        return JsonFields.checkId(field, text);
    }

    /** A token count; 'usage' is checked first, as a missing count means nothing without it. */
    private long tokens(String field, Object value) throws Rejection {
        if (usage == null) {
            throw JsonFields.missing("usage");
        }
        if (usage != AN_OBJECT) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'usage' must be an object");
        }
        if (value == null) {
            throw JsonFields.missing(field);
        }
        if (value instanceof Long count) {
            return JsonFields.checkTokens(field, count);
        }
        throw JsonFields.notTokens(field, value instanceof String text ? '"' + text + '"' : ((Other) value).shown());
    }
}
