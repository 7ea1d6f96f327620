package dev.billing.output;

import dev.billing.serde.FormatStateSerializer;
import dev.billing.serde.VersionedFormat;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An upsert sink for rows that carry whole totals (see {@link PostgresUpsertWriter}): PostgreSQL
 * being slow, locked or down delays the rows, never the job, and the rows owed are checkpointed.
 * Unlike flink-connector-jdbc's sink, a row that PostgreSQL refuses is quarantined instead of
 * failing the job on every retry.
 *
 * <p>Its writer state is the rows owed, one element per row in {@code format}. A savepoint of a
 * build whose sink had no writer state restores with none owed.
 */
public final class PostgresUpsertSink<T> implements Sink<T>, SupportsWriterState<T, T> {
    private static final long serialVersionUID = 2L;

    private final UpsertTable<T> table;
    private final PostgresSinks.Target target;
    private final RetryPolicy retry;
    private final VersionedFormat<T> format;

    public PostgresUpsertSink(UpsertTable<T> table, PostgresSinks.Target target, RetryPolicy retry,
            VersionedFormat<T> format) {
        this.table = table;
        this.target = target;
        this.retry = retry;
        this.format = format;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, T> restoreWriter(WriterInitContext context, Collection<T> owed) {
        return new PostgresUpsertWriter<>(table, target, retry, context.metricGroup(),
                context.isObjectReuseEnabled() ? context.<T>createInputSerializer() : null, owed,
                table.table + " (subtask " + context.getTaskInfo().getIndexOfThisSubtask() + ")");
    }

    @Override
    public SimpleVersionedSerializer<T> getWriterStateSerializer() {
        return new FormatStateSerializer<>(format);
    }
}
