package dev.billing.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the usage records in memory, for tests of the HTTP side alone. */
final class RecordingUsageSink implements UsageSink {
    final List<UsageRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void emit(UsageRecord record) {
        records.add(record);
    }

    @Override
    public long failed() {
        return 0;
    }

    @Override
    public void close() {}
}
