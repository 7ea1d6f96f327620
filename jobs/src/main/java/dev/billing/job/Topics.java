package dev.billing.job;

import dev.billing.output.MessageJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the job's topics when they are missing: the status and rate-card topics compacted, usage
 * records and account events kept forever (see {@link TopicHistory}).
 */
public final class Topics {
    private Topics() {}

    /**
     * The inputs keep the broker's append time, so that a replay (reconciliation), which orders
     * each account's records by timestamp, sees them in the order the job read them.
     */
    static Map<String, String> configOf(String topic, JobOptions options) {
        Map<String, String> config = new HashMap<>();
        if (List.of(options.usageTopic, options.eventsTopic, options.ratesTopic).contains(topic)) {
            config.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        }
        if (topic.equals(options.usageTopic) || topic.equals(options.eventsTopic)) {
            // the balances are sums over every input since an account opened: a rebuild needs them all
            config.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            config.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        }
        if (topic.equals(options.statusTopic) || topic.equals(options.ratesTopic)) {
            config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (topic.equals(options.dlqTopic)) {
            // a dead letter carries its original in base64: room for any input message
            config.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MessageJson.DEAD_LETTER_MAX_BYTES));
        }
        return config;
    }

    public static void ensure(JobOptions options) {
        Properties props = options.kafkaClientProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : List.of(options.usageTopic, options.eventsTopic, options.ratesTopic,
                    options.statusTopic, options.alertsTopic, options.paymentRequestsTopic, options.dlqTopic)) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(options.topicPartitions), Optional.empty())
                            .configs(configOf(topic, options)));
                }
            }
            for (var result : admin.createTopics(missing).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create the job's topics on " + options.bootstrapServers
                    + ": " + e.getCause().getMessage() + ". Check --bootstrap-servers, or create the topics"
                    + " yourself and pass --no-create-topics.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
