package dev.billing.ingest;

import dev.billing.model.SourceRecord;
import java.io.Serializable;

/** Turns the bytes of one input record into a typed message, or rejects it with a reason. */
@FunctionalInterface
public interface RecordParser<T> extends Serializable {
    T parse(SourceRecord source, long nowMs) throws Rejection;
}
