package dev.billing.model;

import java.io.Serializable;

/**
 * A Kafka record as it arrived: its coordinates and its original bytes. Parsers keep it beside
 * what they parsed so that any later rejection can send the untouched bytes to the dead-letter
 * topic.
 */
public class SourceRecord implements Serializable {
    private static final long serialVersionUID = 1L;
    public String topic;
    public int partition;
    public long offset;
    public long timestampMs;
    public byte[] key;
    public byte[] value;

    public SourceRecord() {}

    public SourceRecord(String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestampMs = timestampMs;
        this.key = key;
        this.value = value;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
