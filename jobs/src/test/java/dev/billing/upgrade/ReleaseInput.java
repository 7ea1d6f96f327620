package dev.billing.upgrade;

import dev.billing.it.KafkaTestClient;
import dev.billing.it.TestMessage;
import dev.billing.model.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The input behind a release's own savepoint and checkpoint on real topics. The restored job
 * resumes from the Kafka offsets its state holds, so the restore test puts the same records at the
 * same offsets on a fresh broker before it restores: both send {@link #BEFORE} in one fixed order
 * (the idempotent test producer keeps one request in flight, so each partition gets them in that
 * order) to topics of {@link #PARTITIONS} partitions, where the key chooses the partition.
 */
final class ReleaseInput {
    static final int PARTITIONS = 2;
    static final String GROUP = "billing-job";

    private ReleaseInput() {}

    /**
     * The rate cards and events first; the writer waits until a checkpoint holds them before it sends
     * the usage (usage on its own topic could overtake the event that sets its account's terms). The
     * offsets do not depend on that wait: each topic gets its records in the same order either way.
     */
    static void sendTerms(KafkaTestClient client, SavepointDataset data) throws Exception {
        List<SourceRecord> terms = new ArrayList<>(data.rates);
        terms.addAll(data.events);
        client.sendAll(messages(terms));
    }

    static void sendUsage(KafkaTestClient client, SavepointDataset data) throws Exception {
        client.sendAll(messages(data.usage));
    }

    static List<TestMessage> messages(List<SourceRecord> records) {
        List<TestMessage> out = new ArrayList<>();
        for (SourceRecord r : records) {
            out.add(TestMessage.valid(r.topic, new String(r.key, StandardCharsets.UTF_8),
                    new String(r.value, StandardCharsets.UTF_8)));
        }
        return out;
    }
}
