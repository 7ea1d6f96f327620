package dev.billing.job;

import dev.billing.model.SourceRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The three inputs of the job, raw. Production reads Kafka; tests may pass anything. */
public interface BillingSources {
    DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env);

    DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env);

    DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env);
}
