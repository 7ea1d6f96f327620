package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.mocks.MockSourceReader;
import org.apache.flink.api.connector.source.mocks.MockSourceSplit;
import org.apache.flink.api.connector.source.mocks.MockSourceSplitSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.operators.coordination.MockOperatorEventGateway;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.source.event.AddSplitEvent;
import org.apache.flink.runtime.source.event.WatermarkAlignmentEvent;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.SourceOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.StreamTaskStateInitializerImpl;
import org.apache.flink.streaming.api.operators.source.CollectingDataOutput;
import org.apache.flink.streaming.api.operators.source.TestingSourceOperator;
import org.apache.flink.streaming.runtime.io.DataInputStatus;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.SourceOperatorStreamTask;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.util.MockOutput;
import org.apache.flink.streaming.util.MockStreamConfig;
import org.junit.jupiter.api.Test;

/**
 * Flink's source operator with split-level watermark alignment, over a reader that honours pauses
 * (as Kafka's does) and over the same reader wrapped as the job's aligned sources wrap Kafka's.
 * Split 0 runs ahead of its group and is paused; it is then counted idle while paused, the state
 * FLINK-40093 (Flink 2.2.1) leaves a quiet partition in (the test puts it there directly, as
 * Flink's own test of the fix does); then the group catches up. Flink resumes only splits that are
 * not idle, so the pausing reader never hands over split 0's later record, while the wrapped
 * reader does. On a Flink that resumes such splits (2.2.2, 2.3.1) the first test fails: the
 * wrapper ({@link SubtaskAlignedSource}) can then go.
 */
class PartitionsNeverPausedTest {
    private static final int AHEAD = 50;
    private static final int LATER = 60;

    @Test
    void aPausedSplitCountedIdleIsNeverReadAgainByAReaderThatPauses() throws Exception {
        MockSourceReader reader = new MockSourceReader(MockSourceReader.WaitingForSplits.DO_NOT_WAIT_FOR_SPLITS, false, true);
        List<Integer> read = pauseCountIdleAndCatchUp(reader);
        assertThat(reader.getPausedSplits()).containsExactly("0");
        assertThat(read).doesNotContain(LATER);
    }

    @Test
    void theAlignedSourcesReaderReadsItAll() throws Exception {
        MockSourceReader reader = new MockSourceReader(MockSourceReader.WaitingForSplits.DO_NOT_WAIT_FOR_SPLITS, false, true);
        List<Integer> read = pauseCountIdleAndCatchUp(new SubtaskAlignedSource.PartitionsNeverPaused<>(reader));
        assertThat(reader.getPausedSplits()).isEmpty();
        assertThat(read).contains(LATER);
    }

    /** The records the operator hands over, through the pause, the idleness and the catch-up. */
    private static List<Integer> pauseCountIdleAndCatchUp(SourceReader<Integer, MockSourceSplit> reader) throws Exception {
        SourceOperator<Integer, MockSourceSplit> operator = open(reader);
        MockSourceSplit ahead = new MockSourceSplit(0, 0, 10).addRecord(AHEAD).addRecord(LATER);
        MockSourceSplit behind = new MockSourceSplit(1, 0, 10).addRecord(1).addRecord(2).addRecord(3);
        operator.handleOperatorEvent(new AddSplitEvent<>(List.of(ahead, behind), new MockSourceSplitSerializer()));
        CollectingDataOutput<Integer> output = new CollectingDataOutput<>();

        operator.emitNext(output); // split 0 hands over its first record, far ahead of the group
        operator.handleOperatorEvent(new WatermarkAlignmentEvent(10)); // the group is at 10: split 0 is paused
        operator.updateCurrentSplitIdle(ahead.splitId(), true); // and counted idle while paused
        operator.handleOperatorEvent(new WatermarkAlignmentEvent(1_000)); // the group catches up

        while (operator.emitNext(output) == DataInputStatus.MORE_AVAILABLE) {
            // every record either split will hand over
        }
        operator.close();
        List<Integer> read = new ArrayList<>();
        for (Object event : output.getEvents()) {
            if (event instanceof StreamRecord<?> r) {
                read.add((Integer) r.getValue());
            }
        }
        assertThat(read).as("the records before the pause, and split 1's").contains(AHEAD, 1, 2, 3);
        return read;
    }

    private static SourceOperator<Integer, MockSourceSplit> open(SourceReader<Integer, MockSourceSplit> reader)
            throws Exception {
        MockEnvironment env = new MockEnvironmentBuilder().build();
        TestProcessingTimeService time = new TestProcessingTimeService();
        SourceOperator<Integer, MockSourceSplit> operator = new TestingSourceOperator<>(
                new StreamOperatorParameters<>(new SourceOperatorStreamTask<Integer>(env),
                        new MockStreamConfig(new Configuration(), 1), new MockOutput<>(new ArrayList<>()), () -> time,
                        null, null),
                reader,
                WatermarkStrategy.forGenerator(ctx -> new NewestSoFar()).withTimestampAssigner((r, t) -> r)
                        .withWatermarkAlignment("billing-inputs", Duration.ofMillis(1)),
                time, new MockOperatorEventGateway(), 1, 5, true, false);
        operator.initializeState(new StreamTaskStateInitializerImpl(env, new HashMapStateBackend()));
        operator.open();
        return operator;
    }

    /** The watermark is the newest time a split handed over, at once. */
    private static final class NewestSoFar implements WatermarkGenerator<Integer> {
        private long newest = Long.MIN_VALUE;

        @Override
        public void onEvent(Integer event, long time, WatermarkOutput output) {
            if (time > newest) {
                newest = time;
                output.emitWatermark(new Watermark(newest));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }
}
