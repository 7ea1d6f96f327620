package dev.billing.output;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How each of the job's Kafka outputs becomes a record: one topic, a key and a JSON value from the
 * message. One class for every output; each differs only in its two functions.
 */
final class KeyValueSchema<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    KeyValueSchema(String topic, SerializableFunction<T, byte[]> key, SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    /**
     * Stamped when sent, not with the element's timestamp: in the job that is an input's event time
     * (a dead letter from a parse step carries it), which would age an output record out of its
     * topic's retention as if it had been published then. Each message has its own time in its body.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, key.apply(element), value.apply(element));
    }
}
