package dev.billing.job;

import dev.billing.ingest.InputTime;
import dev.billing.ingest.SourceRecordDeserializer;
import dev.billing.model.SourceRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's Kafka inputs. The streaming job's sources resume from their checkpointed offsets; a
 * new job starts from the group's committed offsets, else from the earliest record ({@link StateGuard}
 * lets it start so only when there are none), or, rebuilding lost state
 * ({@code --rebuild-state-from-earliest}), from the earliest record whatever the group committed.
 * A replay reads every topic from its earliest record to its end at the start of the replay, and
 * commits nothing. The streaming job reads usage and events in step in event time ({@link InputOrder}).
 */
public final class KafkaBillingSources implements BillingSources {
    private final JobOptions options;
    private final boolean replay;
    private RateCardsFirst rateCardsFirst;

    public KafkaBillingSources(JobOptions options) {
        this(options, false);
    }

    private KafkaBillingSources(JobOptions options, boolean replay) {
        this.options = options;
        this.replay = replay;
    }

    /** The start of usage and events in a rebuild, prepared once for both. */
    private RateCardsFirst rateCardsFirst() {
        if (rateCardsFirst == null) {
            rateCardsFirst = RateCardsFirst.prepare(options);
        }
        return rateCardsFirst;
    }

    /** Bounded sources over everything the topics hold now, for a batch replay. */
    public static KafkaBillingSources replay(JobOptions options) {
        return new KafkaBillingSources(options, true);
    }

    @Override
    public DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env) {
        return read(env, options.usageTopic, InputTime.ofUsage());
    }

    @Override
    public DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env) {
        return read(env, options.eventsTopic, InputTime.ofEvents());
    }

    /**
     * Not aligned: the cards are broadcast, and a rebuild takes them all first ({@link RateCardsFirst}).
     * Always idle, so that the ledger's event time is the usage and events' alone.
     */
    @Override
    public DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env) {
        return read(env, options.ratesTopic, null);
    }

    @Override
    public Duration inputDrift() {
        return replay ? null : options.inputMaxDrift;
    }

    @SuppressWarnings("deprecation") // OffsetResetStrategy is what the connector's API takes
    private DataStream<SourceRecord> read(StreamExecutionEnvironment env, String topic, InputTime alignedBy) {
        String groupId = replay ? options.groupId + "-replay" : options.groupId;
        KafkaSourceBuilder<SourceRecord> builder = KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(options.kafkaClientProperties())
                .setProperty("isolation.level", "read_committed")
                .setProperty("client.id.prefix", groupId + "-" + topic);
        if (replay) {
            builder.setStartingOffsets(OffsetsInitializer.earliest())
                    .setBounded(OffsetsInitializer.latest())
                    .setProperty("commit.offsets.on.checkpoint", "false");
        } else if (options.rebuildStateFromEarliest) {
            builder.setStartingOffsets(topic.equals(options.ratesTopic) ? OffsetsInitializer.earliest() : rateCardsFirst());
        } else {
            builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        // a batch replay needs no watermarks: batch mode sorts each account's records by their timestamps
        boolean aligned = alignedBy != null && !replay;
        if (aligned && !options.kafkaProperties.containsKey("max.poll.records")) {
            builder.setProperty("max.poll.records", InputOrder.MAX_POLL_RECORDS);
        }
        KafkaSource<SourceRecord> source = builder.build();
        WatermarkStrategy<SourceRecord> watermarks = aligned ? options.inputOrder().strategy(alignedBy)
                : replay ? InputOrder.replayOrder(alignedBy) : InputOrder.alwaysIdle();
        return env.fromSource(aligned ? new SubtaskAlignedSource<>(source) : source, watermarks, topic)
                .uid("source-" + topic);
    }
}
