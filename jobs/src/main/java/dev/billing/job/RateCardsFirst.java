package dev.billing.job;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a rebuild ({@code --rebuild-state-from-earliest}) starts reading usage records and account
 * events: at the earliest record, but only once the ledger holds every rate card the rate-cards
 * topic held when the rebuild started. Read all at once, a usage record would otherwise race the
 * price it was billed at (live, prices are published ahead of the usage they price): it would be
 * priced at the default rate, or dead-lettered as UNKNOWN_MODEL.
 *
 * <p>"Holds" is observable from outside the job: the consumer group commits the rate-cards offsets
 * when a checkpoint completes, and a checkpoint completes only after the ledger has taken every
 * rate card read before it. So the start forgets the group's old rate-cards offsets, and the
 * sources' split enumerators wait here (on the JobManager, before handing out any split) until the
 * group's commits reach the ends taken at the start. Usage and events then come in event-time
 * order across the two topics ({@link InputOrder}).
 */
final class RateCardsFirst implements OffsetsInitializer {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(RateCardsFirst.class.getName());
    /** A topic ending in a transaction marker is never committed up to its end: wait this long at most. */
    private static final long MAX_WAIT_MS = TimeUnit.MINUTES.toMillis(5);

    private final String ratesTopic;
    private final Map<TopicPartition, Long> ratesEnds;
    private final OffsetsInitializer earliest = OffsetsInitializer.earliest();

    private RateCardsFirst(String ratesTopic, Map<TopicPartition, Long> ratesEnds) {
        this.ratesTopic = ratesTopic;
        this.ratesEnds = new HashMap<>(ratesEnds);
    }

    /** Takes the rate-cards topic's ends and forgets the group's offsets on it; for the client, before submitting. */
    static RateCardsFirst prepare(JobOptions options) {
        Properties props = options.kafkaClientProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(options.ratesTopic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(options.ratesTopic).partitions().stream()
                    .map(p -> new TopicPartition(options.ratesTopic, p.partition())).toList();
            Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream()
                            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            try {
                admin.deleteConsumerGroupOffsets(options.groupId, new java.util.HashSet<>(partitions)).all()
                        .get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                    throw e;
                }
            }
            return new RateCardsFirst(options.ratesTopic, ends);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Could not prepare the rebuild on " + options.bootstrapServers + ": "
                    + e.getCause().getMessage(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Could not prepare the rebuild on " + options.bootstrapServers
                    + ": no answer within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing the rebuild", e);
        }
    }

    @Override
    public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> partitions,
            PartitionOffsetsRetriever retriever) {
        long deadline = System.currentTimeMillis() + MAX_WAIT_MS;
        while (!ratesTaken(retriever)) {
            if (System.currentTimeMillis() > deadline) {
                LOG.log(System.Logger.Level.WARNING, "Rebuild: the rate cards of " + ratesTopic + " were not all"
                        + " committed within " + MAX_WAIT_MS / 1000 + " s; starting " + partitions + " anyway");
                break;
            }
            try {
                Thread.sleep(200); // polling the group's commits, which come with checkpoints
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the rate cards", e);
            }
        }
        return earliest.getPartitionOffsets(partitions, retriever);
    }

    private boolean ratesTaken(PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> committed = retriever.committedOffsets(ratesEnds.keySet());
        return ratesEnds.entrySet().stream()
                .allMatch(e -> e.getValue() == 0 || committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    @Override
    @SuppressWarnings("deprecation") // the connector's interface still speaks OffsetResetStrategy
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return earliest.getAutoOffsetResetStrategy();
    }
}
