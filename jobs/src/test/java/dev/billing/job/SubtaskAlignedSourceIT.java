package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.embedded.EmbeddedKafka;
import dev.billing.ingest.SourceRecordDeserializer;
import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aligned sources' reader on a real broker: a partition the source operator asks to pause is
 * still read. Kafka's own reader, asked the same, leaves it unread, so the request does reach
 * the reader the job wraps, and the wrapper is what keeps the partition flowing.
 */
class SubtaskAlignedSourceIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static EmbeddedKafka kafka;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startBroker() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() {
        producer.close();
        kafka.close();
    }

    @Test
    void aPartitionAskedToPauseIsStillRead() throws Exception {
        String topic = newTopic("wrapped");
        try (SourceReader<SourceRecord, KafkaPartitionSplit> reader = new SubtaskAlignedSource<>(kafka(topic))
                .createReader(new Context())) {
            List<SourceRecord> read = readWithPartitionZeroPaused(reader, topic, "behind");
            poll(reader, read, r -> valueOf(r).equals("ahead"));
            assertThat(values(read)).contains("ahead", "behind");
        }
    }

    @Test
    void kafkasOwnReaderLeavesAPausedPartitionUnread() throws Exception {
        String topic = newTopic("kafka");
        try (SourceReader<SourceRecord, KafkaPartitionSplit> reader = kafka(topic).createReader(new Context())) {
            List<SourceRecord> read = readWithPartitionZeroPaused(reader, topic, "behind");
            send(topic, 1, "later");
            poll(reader, read, r -> valueOf(r).equals("later"));
            assertThat(values(read)).containsExactlyInAnyOrder("first-0", "first-1", "behind", "later");
        }
    }

    /**
     * Reads a record from each partition (the reader then has both, the pause has something to
     * pause), pauses partition 0, writes a record to each, and polls until {@code until} comes from
     * partition 1. A fetch already under way when the pause comes is woken and returns what it had.
     */
    private static List<SourceRecord> readWithPartitionZeroPaused(SourceReader<SourceRecord, KafkaPartitionSplit> reader,
            String topic, String until) throws Exception {
        reader.start();
        KafkaPartitionSplit ahead = new KafkaPartitionSplit(new TopicPartition(topic, 0), 0L);
        KafkaPartitionSplit behind = new KafkaPartitionSplit(new TopicPartition(topic, 1), 0L);
        reader.addSplits(List.of(ahead, behind));
        send(topic, 0, "first-0");
        send(topic, 1, "first-1");
        List<SourceRecord> read = new ArrayList<>();
        poll(reader, read, r -> valueOf(r).equals("first-0"));
        poll(reader, read, r -> valueOf(r).equals("first-1"));
        reader.pauseOrResumeSplits(List.of(ahead.splitId()), List.of());
        send(topic, 0, "ahead");
        send(topic, 1, "behind");
        poll(reader, read, r -> valueOf(r).equals(until));
        return read;
    }

    /** Polls, waiting on the reader's availability between polls, until a record read matches. */
    private static void poll(SourceReader<SourceRecord, KafkaPartitionSplit> reader, List<SourceRecord> read,
            Predicate<SourceRecord> until) throws Exception {
        Collecting output = new Collecting(read);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (read.stream().noneMatch(until)) {
            assertThat(System.nanoTime()).as("a record read in time; read so far: " + values(read)).isLessThan(deadline);
            reader.pollNext(output);
            try {
                reader.isAvailable().get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // nothing fetched yet: poll again
            }
        }
    }

    private static KafkaSource<SourceRecord> kafka(String topic) {
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(topic)
                .setGroupId("aligned-" + topic)
                .setDeserializer(new SourceRecordDeserializer())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .build();
    }

    private static String newTopic(String name) throws Exception {
        String topic = name + "-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static void send(String topic, int partition, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
    }

    private static String valueOf(SourceRecord r) {
        return new String(r.value, StandardCharsets.UTF_8);
    }

    private static List<String> values(List<SourceRecord> read) {
        return read.stream().map(SubtaskAlignedSourceIT::valueOf).toList();
    }

    /** What a source operator gives a reader, without a cluster: no coordinator, no metrics. */
    private static final class Context implements SourceReaderContext {
        @Override
        public SourceReaderMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
        }

        @Override
        public Configuration getConfiguration() {
            return new Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return 0;
        }

        @Override
        public void sendSplitRequest() {}

        @Override
        public void sendSourceEventToCoordinator(SourceEvent event) {}

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(SubtaskAlignedSourceIT.class.getClassLoader());
        }
    }

    /** A reader output that keeps the records, from the main output and every split's. */
    private record Collecting(List<SourceRecord> read) implements ReaderOutput<SourceRecord> {
        @Override
        public void collect(SourceRecord record) {
            read.add(record);
        }

        @Override
        public void collect(SourceRecord record, long timestamp) {
            read.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<SourceRecord> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
