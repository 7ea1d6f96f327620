package dev.billing.bench.jmh;

import dev.billing.bench.workload.UsageMessages;
import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** The pre-built usage records the JMH benchmarks cycle through: the same generator as the Kafka runs. */
final class BenchmarkMessages {
    static final int ACCOUNTS = 10_000;
    static final int MESSAGES = 8_192; // a power of two: the index wraps with a mask

    private BenchmarkMessages() {}

    static SourceRecord[] build(long nowMs) {
        UsageMessages messages = new UsageMessages(ACCOUNTS, 1.0, "jmh");
        SplittableRandom random = new SplittableRandom(42);
        SourceRecord[] out = new SourceRecord[MESSAGES];
        for (int i = 0; i < MESSAGES; i++) {
            UsageMessages.Usage u = messages.usage(i, random, nowMs - random.nextInt(60_000));
            out[i] = new SourceRecord("usage-records", i & 3, i, nowMs, u.account().getBytes(StandardCharsets.UTF_8), u.json());
        }
        return out;
    }
}
