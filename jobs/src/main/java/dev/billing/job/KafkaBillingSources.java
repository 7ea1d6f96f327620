package dev.billing.job;

import dev.billing.ingest.SourceRecordDeserializer;
import dev.billing.model.SourceRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's Kafka inputs. The sources resume from their checkpointed offsets; a new job starts
 * from the group's committed offsets, else from the earliest record.
 */
public final class KafkaBillingSources implements BillingSources {
    private final JobOptions options;

    public KafkaBillingSources(JobOptions options) {
        this.options = options;
    }

    @Override
    public DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env) {
        return read(env, options.usageTopic);
    }

    @Override
    public DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env) {
        return read(env, options.eventsTopic);
    }

    @Override
    public DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env) {
        return read(env, options.ratesTopic);
    }

    @SuppressWarnings("deprecation") // OffsetResetStrategy is what the connector's API takes
    private DataStream<SourceRecord> read(StreamExecutionEnvironment env, String topic) {
        KafkaSource<SourceRecord> source = KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topic)
                .setGroupId(options.groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(options.kafkaClientProperties())
                .setProperty("isolation.level", "read_committed")
                .setProperty("client.id.prefix", options.groupId + "-" + topic)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), topic).uid("source-" + topic);
    }
}
