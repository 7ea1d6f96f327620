package dev.billing.gateway.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/** How a {@link CutoffClient} connects and when it considers its copy of the status topic stale. */
public final class CutoffClientConfig {
    public static final String DEFAULT_TOPIC = "account-status";
    public static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(10);
    public static final Duration DEFAULT_FRESHNESS_INTERVAL = Duration.ofMillis(200);

    final String bootstrapServers;
    final String topic;
    final FailurePolicy failurePolicy;
    final Duration maxStaleness;
    final Duration freshnessInterval;
    final Duration pollTimeout;
    final Duration requestTimeout;
    final Duration partitionRefreshInterval;
    final Properties kafkaProperties;
    final PaymentRequiredBody paymentRequiredBody;

    private CutoffClientConfig(Builder b) {
        bootstrapServers = b.bootstrapServers;
        topic = b.topic;
        failurePolicy = b.failurePolicy;
        maxStaleness = b.maxStaleness;
        freshnessInterval = b.freshnessInterval;
        pollTimeout = b.pollTimeout;
        requestTimeout = b.requestTimeout;
        partitionRefreshInterval = b.partitionRefreshInterval;
        kafkaProperties = (Properties) b.kafkaProperties.clone();
        paymentRequiredBody = b.paymentRequiredBody;
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    public String topic() {
        return topic;
    }

    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    public Duration maxStaleness() {
        return maxStaleness;
    }

    /** Builds a {@link CutoffClientConfig}; every setting but the bootstrap servers has a default. */
    public static final class Builder {
        private final String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private FailurePolicy failurePolicy = FailurePolicy.FAIL_OPEN;
        private Duration maxStaleness = DEFAULT_MAX_STALENESS;
        private Duration freshnessInterval = DEFAULT_FRESHNESS_INTERVAL;
        private Duration pollTimeout = Duration.ofMillis(50);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration partitionRefreshInterval = Duration.ofSeconds(30);
        private final Properties kafkaProperties = new Properties();
        private PaymentRequiredBody paymentRequiredBody = new PaymentRequiredBody();

        private Builder(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        }

        /** The compacted status topic the billing job writes (default {@value #DEFAULT_TOPIC}). */
        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** What checks answer while the copy is stale (default {@link FailurePolicy#FAIL_OPEN}). */
        public Builder failurePolicy(FailurePolicy policy) {
            this.failurePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How old the newest confirmation that the copy is complete may be before the copy counts as
         * stale (default 10 s). A fail-closed client refuses every request beyond it.
         */
        public Builder maxStaleness(Duration maxStaleness) {
            this.maxStaleness = positive(maxStaleness, "maxStaleness");
            return this;
        }

        /**
         * How often the client asks the broker for the topic's end offsets to confirm it is complete
         * (default 200 ms). Staleness in normal operation stays below this plus the consumer's fetch
         * wait (100 ms unless {@code fetch.max.wait.ms} is set) and a round trip; each ask is one small
         * ListOffsets request.
         */
        public Builder freshnessInterval(Duration interval) {
            this.freshnessInterval = positive(interval, "freshnessInterval");
            return this;
        }

        /** Longest wait of one poll of the consumer (default 50 ms). */
        public Builder pollTimeout(Duration timeout) {
            this.pollTimeout = positive(timeout, "pollTimeout");
            return this;
        }

        /** Longest wait for a metadata or offsets request while the broker is unreachable (default 5 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How often the topic's partitions are listed, to follow partitions added later (default 30 s). */
        public Builder partitionRefreshInterval(Duration interval) {
            this.partitionRefreshInterval = positive(interval, "partitionRefreshInterval");
            return this;
        }

        /**
         * A Kafka consumer property (security, client.id, ...). The client reads without a consumer
         * group, from the beginning, read_committed; settings that would change that are overridden.
         */
        public Builder kafkaProperty(String name, String value) {
            kafkaProperties.setProperty(name, value);
            return this;
        }

        public Builder kafkaProperties(Properties properties) {
            properties.forEach((k, v) -> kafkaProperties.setProperty(k.toString(), v.toString()));
            return this;
        }

        /** Renders the 402 bodies (default: links to {@value PaymentRequiredBody#DEFAULT_DASHBOARD_URL}). */
        public Builder paymentRequiredBody(PaymentRequiredBody body) {
            this.paymentRequiredBody = Objects.requireNonNull(body, "body");
            return this;
        }

        public CutoffClientConfig build() {
            return new CutoffClientConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + d);
            }
            return d;
        }
    }
}
