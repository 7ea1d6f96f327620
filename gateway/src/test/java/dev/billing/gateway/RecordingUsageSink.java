package dev.billing.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the usage records in memory, for tests of the HTTP side alone, or on their way to a real sink. */
final class RecordingUsageSink implements UsageSink {
    final List<UsageRecord> records = new CopyOnWriteArrayList<>();
    private final UsageSink next;

    RecordingUsageSink() {
        this(null);
    }

    /** Records and hands each record on to {@code next}. */
    RecordingUsageSink(UsageSink next) {
        this.next = next;
    }

    @Override
    public void emit(UsageRecord record) {
        records.add(record);
        if (next != null) {
            next.emit(record);
        }
    }

    @Override
    public long failed() {
        return next == null ? 0 : next.failed();
    }

    @Override
    public void close() {}
}
