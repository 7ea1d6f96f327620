package dev.billing.ingest;

import dev.billing.model.DeadLetter;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Stateless parse-and-validate step, chained to its Kafka source: valid messages go on, every
 * invalid one goes to the dead-letter side output with its reason. Never throws on bad input.
 *
 * <p>Time-dependent checks (a {@code completed_at} too far ahead) use the job's clock; a replay of
 * the topics (reconciliation) uses each record's Kafka timestamp instead, the closest record of
 * the clock the job read it by.
 */
public class ParseFunction<T> extends ProcessFunction<SourceRecord, T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final RecordParser<T> parser;
    private final boolean replay;
    private transient Map<RejectReason, Counter> deadLetters;

    public ParseFunction(RecordParser<T> parser) {
        this(parser, false);
    }

    public ParseFunction(RecordParser<T> parser, boolean replay) {
        this.parser = parser;
        this.replay = replay;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            deadLetters.put(reason, getRuntimeContext().getMetricGroup().addGroup("reason", reason.name()).counter("deadLetters"));
        }
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<T> out) {
        long now = replay ? record.timestampMs : ctx.timerService().currentProcessingTime();
        try {
            out.collect(parser.parse(record, now));
        } catch (Rejection r) {
            reject(ctx, new DeadLetter(record, r.reason(), r.getMessage(), now));
        } catch (RuntimeException e) {
            // a parser bug must not stop billing: the record is kept, with the cause, for replay
            reject(ctx, new DeadLetter(record, RejectReason.INVALID_FIELD, "unexpected " + e, now));
        }
    }

    private void reject(Context ctx, DeadLetter deadLetter) {
        ctx.output(DEAD_LETTERS, deadLetter);
        deadLetters.get(deadLetter.reason).inc();
    }
}
