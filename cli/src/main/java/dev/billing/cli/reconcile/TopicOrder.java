package dev.billing.cli.reconcile;

import dev.billing.job.JobOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The replay sees each account's records in timestamp order. With the broker's append time that
 * is the order the job read them; with producers' create times it may not be, and the few things
 * that depend on order (a record that crosses a volume-discount tier, the late horizon, a discount
 * set between two records) may then differ. Says so before it matters.
 */
final class TopicOrder {
    private static final int TIMEOUT_SECONDS = 30;

    private TopicOrder() {}

    static void warnIfNotAppendTime(JobOptions job, PrintStream out) throws Exception {
        Properties props = job.kafkaClientProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, job.bootstrapServers);
        List<ConfigResource> inputs = List.of(topic(job.usageTopic), topic(job.eventsTopic), topic(job.ratesTopic));
        try (Admin admin = Admin.create(props)) {
            Map<ConfigResource, Config> configs;
            try {
                configs = admin.describeConfigs(inputs).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                String why = e instanceof TimeoutException ? "no answer within " + TIMEOUT_SECONDS + " s"
                        : e.getCause().getMessage();
                throw new IllegalStateException("Could not read the input topics " + String.join(", ", job.usageTopic,
                        job.eventsTopic, job.ratesTopic) + " on " + job.bootstrapServers + " (" + why + "): check"
                        + " --bootstrap-servers, the topic options and the --kafka-property settings for TLS or SASL.", e);
            }
            configs.forEach((resource, config) -> {
                var type = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
                if (type == null || !"LogAppendTime".equals(type.value())) {
                    out.println("warning: topic " + resource.name() + " keeps its producers' timestamps"
                            + " (message.timestamp.type=" + (type == null ? "?" : type.value()) + "): the replay orders"
                            + " each account's records by them, which may differ from the order the job read them in."
                            + " Differences at volume-discount tier boundaries or the late horizon may come from that;"
                            + " set message.timestamp.type=LogAppendTime on the input topics to rule it out.");
                }
            });
        }
    }

    private static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }
}
