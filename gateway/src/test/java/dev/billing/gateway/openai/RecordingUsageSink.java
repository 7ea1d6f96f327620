package dev.billing.gateway.openai;

import dev.billing.gateway.client.usage.UsageNotDurable;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the usage records in memory, for tests of the HTTP side alone, or on their way to a real sink. */
public final class RecordingUsageSink implements UsageSink {
    public final List<UsageRecord> records = new CopyOnWriteArrayList<>();
    private final UsageSink next;
    /** False: say so before serving, as a full journal does. */
    volatile boolean accepting = true;
    /** True: fail each write, as a disk that refuses does. */
    volatile boolean writesFail;

    public RecordingUsageSink() {
        this(null);
    }

    /** Records and hands each record on to {@code next}. */
    public RecordingUsageSink(UsageSink next) {
        this.next = next;
    }

    @Override
    public void record(UsageRecord record, BigDecimal costUsd) throws UsageNotDurable {
        if (!accepting || writesFail) {
            throw new UsageNotDurable("the test's journal refuses", null);
        }
        if (next != null) {
            next.record(record, costUsd);
        }
        records.add(record);
    }

    @Override
    public boolean accepting() {
        return accepting && (next == null || next.accepting());
    }

    @Override
    public long undelivered() {
        return next == null ? 0 : next.undelivered();
    }

    @Override
    public void close() {}
}
