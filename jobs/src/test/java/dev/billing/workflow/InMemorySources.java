package dev.billing.workflow;

import dev.billing.job.BillingSources;
import dev.billing.model.SourceRecord;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's three inputs from lists, for running {@code BillingWorkflow} on a MiniCluster without a
 * broker. Bounded: each input ends after its records, and the job finishes (its operators flush).
 * Unbounded: each input stays open after its records, so the job can be stopped with a savepoint.
 * Each input is one source in order; the three inputs interleave as Kafka topics do.
 */
public final class InMemorySources implements BillingSources {
    private static final TypeInformation<SourceRecord> TYPE = TypeInformation.of(SourceRecord.class);
    /** What an open input emits once its records are out; dropped before the workflow sees it. */
    private static final String IDLE = "idle";

    private final String uidPrefix;
    private final List<SourceRecord> usage;
    private final List<SourceRecord> events;
    private final List<SourceRecord> rates;
    private final boolean bounded;

    private InMemorySources(String uidPrefix, List<SourceRecord> usage, List<SourceRecord> events,
            List<SourceRecord> rates, boolean bounded) {
        this.uidPrefix = uidPrefix;
        this.usage = List.copyOf(usage);
        this.events = List.copyOf(events);
        this.rates = List.copyOf(rates);
        this.bounded = bounded;
    }

    public static InMemorySources bounded(String uidPrefix, List<SourceRecord> usage, List<SourceRecord> events,
            List<SourceRecord> rates) {
        return new InMemorySources(uidPrefix, usage, events, rates, true);
    }

    public static InMemorySources open(String uidPrefix, List<SourceRecord> usage, List<SourceRecord> events,
            List<SourceRecord> rates) {
        return new InMemorySources(uidPrefix, usage, events, rates, false);
    }

    @Override
    public DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env) {
        return source(env, "usage-records", usage);
    }

    @Override
    public DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env) {
        return source(env, "account-events", events);
    }

    @Override
    public DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env) {
        return source(env, "rate-cards", rates);
    }

    private DataStream<SourceRecord> source(StreamExecutionEnvironment env, String topic, List<SourceRecord> records) {
        SourceRecord[] array = records.toArray(SourceRecord[]::new);
        GeneratorFunction<Long, SourceRecord> next = i -> i < array.length ? array[(int) (long) i]
                : new SourceRecord(IDLE, 0, i, 0L, null, new byte[0]);
        DataGeneratorSource<SourceRecord> source = bounded
                ? new DataGeneratorSource<>(next, array.length, TYPE)
                : new DataGeneratorSource<>(next, Long.MAX_VALUE, RateLimiterStrategy.perSecond(100), TYPE);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), uidPrefix + topic)
                .uid(uidPrefix + topic).setParallelism(1)
                .filter(r -> !IDLE.equals(r.topic)).uid(uidPrefix + topic + "-open").setParallelism(1);
    }
}
