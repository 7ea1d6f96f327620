package dev.billing.job;

import dev.billing.model.SourceRecord;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The three inputs of the job, raw. Production reads Kafka; tests may pass anything. */
public interface BillingSources {
    DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env);

    DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env);

    DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env);

    /**
     * The drift within which usage records and account events come in event time, their watermarks
     * kept together (see {@link InputOrder}); null when they carry no watermarks and are applied as
     * they come.
     */
    default Duration inputDrift() {
        return null;
    }
}
