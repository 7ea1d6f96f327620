package dev.billing.output;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * An at-least-once upsert sink for rows that carry whole totals (see {@link PostgresUpsertWriter}).
 * Unlike flink-connector-jdbc's sink, a row that PostgreSQL refuses is quarantined instead of
 * failing the job on every retry.
 */
public final class PostgresUpsertSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final UpsertTable<T> table;
    private final PostgresSinks.Target target;
    private final RetryPolicy retry;

    public PostgresUpsertSink(UpsertTable<T> table, PostgresSinks.Target target, RetryPolicy retry) {
        this.table = table;
        this.target = target;
        this.retry = retry;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new PostgresUpsertWriter<>(table, target, retry, context.getProcessingTimeService(), context.metricGroup(),
                context.isObjectReuseEnabled() ? context.<T>createInputSerializer() : null);
    }
}
