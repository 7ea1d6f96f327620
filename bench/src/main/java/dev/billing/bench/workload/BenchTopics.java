package dev.billing.bench.workload;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the input topics (and the passthrough's output) before anything is loaded. */
public final class BenchTopics {
    private BenchTopics() {}

    public static void create(String bootstrapServers, int partitions, List<String> topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(topics.stream()
                    .map(t -> new NewTopic(t, Optional.of(partitions), Optional.empty())
                            // a few GB of records must not be deleted by size or age during the run
                            .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1")))
                    .toList()).all().get(60, TimeUnit.SECONDS);
        }
    }
}
