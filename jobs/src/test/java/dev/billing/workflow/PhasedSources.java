package dev.billing.workflow;

import dev.billing.it.KafkaTestClient;
import dev.billing.it.TestMessage;
import dev.billing.job.BillingSources;
import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's three inputs fed phase by phase while the job runs, for {@link WorkflowRun}. Like a
 * Kafka topic, each input has {@link #PARTITIONS} partitions, a message goes to its key's
 * partition, and each partition is read in order by one source subtask, chained to the parse step
 * as the Kafka sources are: an account's messages on one input reach its ledger in the order they
 * were released. Across inputs nothing is ordered, as with Kafka.
 *
 * <p>A released message waits in its partition's queue until the source subtask takes it. Once the
 * queues are empty, every released message has been emitted, so a savepoint's barrier, which a
 * source emits after the records before it, reaches each operator after them: when the savepoint
 * completes, the phase is processed (see {@link WorkflowRun#phase}). Not restorable: a restore
 * would not replay the queues. The sources never end; the run is cancelled.
 */
public final class PhasedSources implements BillingSources {
    public static final int PARTITIONS = 2;
    private static final TypeInformation<SourceRecord> TYPE = TypeInformation.of(SourceRecord.class);
    /** What a source emits when its queue stays empty for a moment; dropped before the workflow sees it. */
    private static final String IDLE = "idle";
    private static final Map<String, BlockingQueue<SourceRecord>> QUEUES = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final Map<String, long[]> nextOffsets = new HashMap<>();

    public static final String USAGE = "usage-records";
    public static final String EVENTS = "account-events";
    public static final String RATES = "rate-cards";

    public PhasedSources() {
        for (String topic : List.of(USAGE, EVENTS, RATES)) {
            nextOffsets.put(topic, new long[PARTITIONS]);
            for (int p = 0; p < PARTITIONS; p++) {
                QUEUES.put(queue(id, topic, p), new LinkedBlockingQueue<>());
            }
        }
    }

    /** Hands {@code messages} to the sources, each to its key's partition; returns where each went, in order. */
    public synchronized List<KafkaTestClient.Sent> release(List<TestMessage> messages) {
        KafkaTestClient.Sent[] where = new KafkaTestClient.Sent[messages.size()];
        for (int i = 0; i < messages.size(); i++) {
            TestMessage m = messages.get(i);
            long[] offsets = nextOffsets.get(m.topic());
            if (offsets == null) {
                throw new IllegalArgumentException("no input " + m.topic());
            }
            byte[] key = m.key() == null ? null : m.key().getBytes(StandardCharsets.UTF_8);
            int partition = key == null ? 0 : Math.floorMod(Arrays.hashCode(key), PARTITIONS);
            long offset = offsets[partition]++;
            where[i] = new KafkaTestClient.Sent(m.topic(), partition, offset);
            QUEUES.get(queue(id, m.topic(), partition))
                    .add(new SourceRecord(m.topic(), partition, offset, System.currentTimeMillis(), key, m.value()));
        }
        return List.of(where);
    }

    /** Whether the sources have taken every message released so far. */
    public boolean allTaken() {
        for (String topic : nextOffsets.keySet()) {
            for (int p = 0; p < PARTITIONS; p++) {
                if (!QUEUES.get(queue(id, topic, p)).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Frees the queues of this run. */
    public void close() {
        QUEUES.keySet().removeIf(k -> k.startsWith(id + "/"));
    }

    @Override
    public DataStream<SourceRecord> usageRecords(StreamExecutionEnvironment env) {
        return source(env, USAGE);
    }

    @Override
    public DataStream<SourceRecord> accountEvents(StreamExecutionEnvironment env) {
        return source(env, EVENTS);
    }

    @Override
    public DataStream<SourceRecord> rateCards(StreamExecutionEnvironment env) {
        return source(env, RATES);
    }

    private DataStream<SourceRecord> source(StreamExecutionEnvironment env, String topic) {
        // one split per partition: the generator's index counts nothing, the queue says what comes next
        DataGeneratorSource<SourceRecord> source = new DataGeneratorSource<>(new Take(id, topic), Long.MAX_VALUE, TYPE);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "phased " + topic).uid("phased-" + topic)
                .setParallelism(PARTITIONS)
                .filter(r -> !IDLE.equals(r.topic)).uid("phased-" + topic + "-open").setParallelism(PARTITIONS);
    }

    private static String queue(String id, String topic, int partition) {
        return id + "/" + topic + "/" + partition;
    }

    /**
     * The source function of one input: its subtask reads the partition of the same index. Waits a
     * few milliseconds for a message, then emits an idle one, so the task's mailbox (checkpoint
     * barriers, cancellation) is never held for longer.
     */
    private static final class Take implements GeneratorFunction<Long, SourceRecord> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final String topic;
        private transient BlockingQueue<SourceRecord> queue;

        Take(String id, String topic) {
            this.id = id;
            this.topic = topic;
        }

        @Override
        public void open(SourceReaderContext context) {
            queue = QUEUES.get(queue(id, topic, context.getIndexOfSubtask()));
        }

        @Override
        public SourceRecord map(Long ignored) throws InterruptedException {
            SourceRecord next = queue.poll(5, TimeUnit.MILLISECONDS);
            return next != null ? next : new SourceRecord(IDLE, 0, 0, 0L, null, new byte[0]);
        }
    }
}
