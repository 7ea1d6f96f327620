package dev.billing.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Whether the input topics still hold the ledger's whole history. The balances are a sum over every
 * input since an account opened (credits never expire), so a rebuild from the topics is only right
 * when they start at offset 0: usage records and account events are kept forever
 * ({@code retention.ms=-1}, or tiered storage that keeps them), rate cards compacted (the newest card
 * per key is kept). At every start the retention of the inputs is reported; a rebuild is refused when
 * a partition no longer starts at offset 0, unless the operator says they know.
 */
public final class TopicHistory {
    private static final long TIMEOUT_S = 30;

    private TopicHistory() {}

    /** One line per input topic: what its retention keeps, and a warning where history would be deleted. */
    public static List<String> report(JobOptions options) {
        try (Admin admin = Admin.create(adminProperties(options))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<ConfigResource> resources = inputs(options).stream().filter(existing::contains)
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<String> lines = new ArrayList<>();
            for (ConfigResource r : resources) {
                lines.add(describe(r.name(), configs.get(r)));
            }
            return lines;
        } catch (ExecutionException | TimeoutException e) {
            return List.of("Could not read the retention of the input topics: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading topic configs", e);
        }
    }

    static String describe(String topic, Config config) {
        String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        long retentionMs = Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, "-1"));
        long retentionBytes = Long.parseLong(value(config, TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
        boolean deletes = policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && (retentionMs >= 0 || retentionBytes >= 0);
        String kept = "cleanup.policy=" + policy + ", retention.ms=" + retentionMs + ", retention.bytes=" + retentionBytes;
        if (!deletes) {
            return "Topic " + topic + " keeps its history (" + kept + ").";
        }
        String limit = retentionMs >= 0 ? Duration.ofMillis(retentionMs).toString().substring(2).toLowerCase() : "";
        return "WARNING: topic " + topic + " deletes its history (" + kept + (limit.isEmpty() ? "" : ": older than " + limit)
                + "). The balances are sums over all of it: a rebuild from the topics (--rebuild-state-from-earliest) needs"
                + " every record since the first. Set retention.ms=-1 and retention.bytes=-1 (or tiered storage that keeps"
                + " the records), or keep the checkpoints safe.";
    }

    private static String value(Config config, String name, String fallback) {
        var entry = config == null ? null : config.get(name);
        return entry == null || entry.value() == null ? fallback : entry.value();
    }

    /**
     * Throws {@link StateGuard.Refusal} when an input partition does not start at offset 0, naming
     * the partition, its earliest offset and that record's time.
     */
    static void requireFromStart(JobOptions options) {
        List<String> missing = new ArrayList<>();
        try (Admin admin = Admin.create(adminProperties(options))) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<String> topics = inputs(options).stream().filter(existing::contains).toList();
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> partitions = described.values().stream()
                    .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest()));
            var earliest = admin.listOffsets(partitions).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<TopicPartition> cut = earliest.entrySet().stream().filter(e -> e.getValue().offset() > 0)
                    .map(Map.Entry::getKey).sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
            Map<TopicPartition, String> times = firstRecordTimes(options, cut);
            for (TopicPartition tp : cut) {
                missing.add("topic " + tp.topic() + " partition " + tp.partition() + " starts at offset "
                        + earliest.get(tp).offset() + " (its earliest record appended " + times.get(tp) + ")");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not check where the input topics start on " + options.bootstrapServers
                    + ": " + e.getMessage() + ". Check --bootstrap-servers.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the input topics", e);
        }
        if (!missing.isEmpty()) {
            String nl = System.lineSeparator();
            throw new StateGuard.Refusal("Refusing --rebuild-state-from-earliest: the input topics no longer hold the whole"
                    + " history." + nl + "  " + String.join(";" + nl + "  ", missing) + "." + nl
                    + "The records before those offsets were deleted (retention, or a delete-records). Rebuilt without them,"
                    + " the state would forget the purchases, adjustments and settings in them, and grant accounts first"
                    + " seen there their free credits again." + nl
                    + "Restore the checkpoints instead if you can. If you know what the deleted records held and accept a"
                    + " state without them, add --rebuild-without-full-history.");
        }
    }

    /** The append time of each partition's earliest record, read with a consumer of its own. */
    private static Map<TopicPartition, String> firstRecordTimes(JobOptions options, Collection<TopicPartition> partitions) {
        Map<TopicPartition, String> out = new java.util.HashMap<>();
        if (partitions.isEmpty()) {
            return out;
        }
        Properties props = options.kafkaClientProperties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String time = "at an unknown time";
                while (System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                    if (!records.isEmpty()) {
                        time = "at " + Instant.ofEpochMilli(records.iterator().next().timestamp());
                        break;
                    }
                }
                out.put(tp, time);
            }
        }
        return out;
    }

    private static List<String> inputs(JobOptions options) {
        return List.of(options.usageTopic, options.eventsTopic, options.ratesTopic);
    }

    private static Properties adminProperties(JobOptions options) {
        Properties props = options.kafkaClientProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TimeUnit.SECONDS.toMillis(TIMEOUT_S)));
        return props;
    }
}
