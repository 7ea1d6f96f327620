package dev.billing.job;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Kafka source that watermark alignment stops a subtask at a time, never one partition alone.
 *
 * <p>Flink 2.2.1 pauses a single partition whose watermark is ahead of its alignment group, and
 * resumes only partitions that are not idle; a paused partition that is counted idle (a race
 * between the pause and the partition's idleness clock, FLINK-40093, fixed in 2.2.2 and 2.3.1) is
 * never resumed, and the records written to it later are never read. A quiet account-events
 * partition a drift ahead of the usage is exactly that partition: its purchases would never be
 * credited. So this reader ignores the request to pause single partitions. Alignment still stops
 * a whole source subtask whose partitions are all ahead (the source operator then stops polling
 * it, whatever their idleness, until the group catches up), and what a subtask's other
 * partitions read ahead waits in the ledger ({@code AccountLedger}), as what a fetch already
 * handed over always did. The splits, their serializer and the enumerator are Kafka's own, so the
 * source's checkpoints and savepoints are unchanged.
 */
final class SubtaskAlignedSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private final KafkaSource<T> kafka;

    SubtaskAlignedSource(KafkaSource<T> kafka) {
        this.kafka = kafka;
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return new PartitionsNeverPaused<>(kafka.createReader(context));
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return kafka.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState checkpoint) throws Exception {
        return kafka.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return kafka.getProducedType();
    }

    /** A reader that reads every split it is assigned until the source operator stops polling it. */
    static final class PartitionsNeverPaused<T, SplitT extends SourceSplit> implements SourceReader<T, SplitT> {
        private final SourceReader<T, SplitT> reader;

        PartitionsNeverPaused(SourceReader<T, SplitT> reader) {
            this.reader = reader;
        }

        /** Not passed on: see {@link SubtaskAlignedSource}. */
        @Override
        public void pauseOrResumeSplits(Collection<String> splitsToPause, Collection<String> splitsToResume) {}

        @Override
        public void start() {
            reader.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            return reader.pollNext(output);
        }

        @Override
        public List<SplitT> snapshotState(long checkpointId) {
            return reader.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return reader.isAvailable();
        }

        @Override
        public void addSplits(List<SplitT> splits) {
            reader.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            reader.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            reader.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            reader.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
