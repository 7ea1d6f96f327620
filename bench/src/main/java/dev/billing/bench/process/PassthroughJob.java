package dev.billing.bench.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ceiling the billing job is compared with: Kafka in, parse each JSON record, write it out
 * again, Kafka out. Same connectors, same checkpointing (exactly-once, 10 s), same parallelism,
 * same read_committed consumer and same at-least-once producer settings as the billing job's
 * status output, so the difference between the two is the billing work itself.
 */
public final class PassthroughJob {
    public static final String NAME = "passthrough";
    /** Counted in the JSON round trip; the harness times the run by it. */
    public static final String COUNTER = "recordsPassed";

    private PassthroughJob() {}

    public static void define(StreamExecutionEnvironment env, String bootstrapServers, String inputTopic,
            String outputTopic) {
        KafkaSource<byte[]> source = KafkaSource.<byte[]>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(inputTopic)
                .setGroupId("bench-passthrough")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .setProperty("isolation.level", "read_committed")
                .build();
        Properties producer = new Properties();
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
        env.fromSource(source, WatermarkStrategy.noWatermarks(), inputTopic).uid("source")
                .map(new JsonRoundTrip(), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .uid("json-round-trip").name("parse and re-serialize")
                .sinkTo(sink).uid("sink").name(outputTopic);
    }

    /** Parses the record into a JSON tree and writes the tree back to bytes. */
    static final class JsonRoundTrip extends RichMapFunction<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private transient ObjectMapper mapper;
        private transient Counter passed;

        @Override
        public void open(OpenContext openContext) {
            mapper = new ObjectMapper();
            passed = getRuntimeContext().getMetricGroup().counter(COUNTER);
        }

        @Override
        public byte[] map(byte[] value) throws Exception {
            byte[] out = mapper.writeValueAsBytes(mapper.readTree(value));
            passed.inc();
            return out;
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
