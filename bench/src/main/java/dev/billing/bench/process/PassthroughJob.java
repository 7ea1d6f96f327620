package dev.billing.bench.process;

import dev.billing.ingest.Rejection;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling the billing job is compared with: Kafka in, parse each usage record with the billing
 * job's own parser (so both pay the same parse), write it out again, Kafka out. Same connectors, same checkpointing (exactly-once, 10 s), same parallelism,
 * same read_committed consumer and same at-least-once producer settings as the billing job's
 * status output, so the difference between the two is the billing work itself.
 */
public final class PassthroughJob {
    public static final String NAME = "passthrough";
    public static final String KEYED_NAME = "keyed-passthrough";
    /** Counted in the JSON round trip; the harness times the run by it. */
    public static final String COUNTER = "recordsPassed";

    private PassthroughJob() {}

    /**
     * @param keyed also send each record through a {@code keyBy} on its account, as the billing job
     *     sends its records to the ledger: the floor of any keyed design, with no state and no billing
     * @param kafkaProperties client properties for the consumer and the producer, as the billing job's
     *     {@code --kafka-property}
     * @param maxFutureSkew the billing job's setting, for its parser
     */
    public static void define(StreamExecutionEnvironment env, String bootstrapServers, Properties kafkaProperties,
            String inputTopic, String outputTopic, boolean keyed, Duration maxFutureSkew) {
        KafkaSource<byte[]> source = KafkaSource.<byte[]>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(inputTopic)
                .setGroupId("bench-passthrough")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .setProperties(kafkaProperties)
                .setProperty("isolation.level", "read_committed")
                .build();
        Properties producer = new Properties();
        producer.putAll(kafkaProperties);
        // as the billing job's account-status sink (dev.billing.output.KafkaSinks.accountStatus)
        producer.put("linger.ms", "2");
        producer.put("acks", "all");
        KafkaSink<byte[]> sink = KafkaSink.<byte[]>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(KafkaRecordSerializationSchema.<byte[]>builder()
                        .setTopic(outputTopic)
                        .setValueSerializationSchema(new RawBytes())
                        .build())
                .build();
        DataStream<byte[]> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), inputTopic).uid("source");
        DataStream<byte[]> out;
        if (keyed) {
            out = records.map(new JsonRoundTripByAccount(maxFutureSkew), Types.TUPLE(Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE)))
                    .uid("json-round-trip").name("parse and re-serialize")
                    .keyBy(t -> t.f0, Types.STRING)
                    .map(new Counted(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                    .uid("keyed").name("by account");
        } else {
            out = records.map(new JsonRoundTrip(maxFutureSkew), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                    .uid("json-round-trip").name("parse and re-serialize");
        }
        out.sinkTo(sink).uid("sink").name(outputTopic);
    }

    /** The round trip, keeping the parsed account id for the {@code keyBy}; counted after the shuffle. */
    static final class JsonRoundTripByAccount extends RichMapFunction<byte[], Tuple2<String, byte[]>> {
        private static final long serialVersionUID = 1L;
        private final UsageRecordParser parser;

        JsonRoundTripByAccount(Duration maxFutureSkew) {
            parser = new UsageRecordParser(maxFutureSkew);
        }

        @Override
        public Tuple2<String, byte[]> map(byte[] value) {
            UsageRecord r = parse(parser, value);
            return r == null ? Tuple2.of("", value) : Tuple2.of(r.accountId, UsageRecordWriter.write(r));
        }
    }

    static final class Counted extends RichMapFunction<Tuple2<String, byte[]>, byte[]> {
        private static final long serialVersionUID = 1L;
        private transient Counter passed;

        @Override
        public void open(OpenContext openContext) {
            passed = getRuntimeContext().getMetricGroup().counter(COUNTER);
        }

        @Override
        public byte[] map(Tuple2<String, byte[]> value) {
            passed.inc();
            return value.f1;
        }
    }

    /** Parses the record as the billing job does and writes the parsed fields back to bytes. */
    static final class JsonRoundTrip extends RichMapFunction<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final UsageRecordParser parser;
        private transient Counter passed;

        JsonRoundTrip(Duration maxFutureSkew) {
            parser = new UsageRecordParser(maxFutureSkew);
        }

        @Override
        public void open(OpenContext openContext) {
            passed = getRuntimeContext().getMetricGroup().counter(COUNTER);
        }

        @Override
        public byte[] map(byte[] value) {
            UsageRecord r = parse(parser, value);
            byte[] out = r == null ? value : UsageRecordWriter.write(r);
            passed.inc();
            return out;
        }
    }

    /**
     * The parsed record, or null for one the billing job would dead-letter: it passes unchanged
     * (as a dead letter carries its bytes) and is counted, so the run still ends at its count.
     */
    private static UsageRecord parse(UsageRecordParser parser, byte[] value) {
        try {
            return parser.parse(new SourceRecord(null, 0, 0, 0, null, value), System.currentTimeMillis());
        } catch (Rejection e) {
            return null;
        }
    }

    static final class RawBytes implements SerializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(byte[] element) {
            return element;
        }
    }
}
