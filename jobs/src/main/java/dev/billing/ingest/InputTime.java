package dev.billing.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.billing.model.SourceRecord;
import java.io.IOException;
import java.io.Serializable;
import java.time.format.DateTimeParseException;

/**
 * The event time of a raw input, for ordering the input topics against each other before they are
 * parsed: its {@code completed_at} or {@code occurred_at}, capped at the record's Kafka timestamp
 * (the clock it was appended by, as the ledger caps an account's newest input at its clock), so a
 * record stamped ahead of its time cannot carry its topic ahead of the others. A record without a
 * time the parse step accepts (bad input, dead-lettered there) has none: {@link Long#MIN_VALUE},
 * which moves no watermark (its Kafka timestamp would, to the time a backfilled history was
 * appended). The time is the record's timestamp in the job from the source on.
 *
 * <p>Reads the top-level fields with a streaming parser and stops at the time field: the whole
 * message is parsed once, later, by the parse step.
 */
public final class InputTime implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String field;

    private InputTime(String field) {
        this.field = field;
    }

    public static InputTime ofUsage() {
        return new InputTime("completed_at");
    }

    public static InputTime ofEvents() {
        return new InputTime("occurred_at");
    }

    /** The record's event time, {@link Long#MIN_VALUE} when it has none the parse step would accept. */
    public long of(SourceRecord record) {
        long stated = stated(record.value);
        return stated == Long.MIN_VALUE ? Long.MIN_VALUE : Math.min(stated, record.timestampMs);
    }

    /**
     * A time the parse step accepts, else none: it becomes the record's timestamp, and one before 1970
     * (a time in year 16, dead-lettered as INVALID_FIELD) is one no Kafka producer takes.
     */
    private static long storable(java.time.Instant at) {
        return JsonFields.accepted(at) ? at.toEpochMilli() : Long.MIN_VALUE;
    }

    /** The time field of a JSON object's top level, {@link Long#MIN_VALUE} when there is none readable. */
    long stated(byte[] value) {
        if (value == null || value.length == 0) {
            return Long.MIN_VALUE;
        }
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Long.MIN_VALUE;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                JsonToken v = p.nextToken();
                if (wanted) {
                    return v == JsonToken.VALUE_STRING ? storable(IsoTimes.parse(p.getText())) : Long.MIN_VALUE;
                }
                p.skipChildren();
            }
            return Long.MIN_VALUE;
        } catch (IOException | DateTimeParseException | ArithmeticException e) {
            return Long.MIN_VALUE; // the parse step rejects it with its reason
        }
    }
}
