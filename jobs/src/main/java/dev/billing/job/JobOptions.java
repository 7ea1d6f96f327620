package dev.billing.job;

import dev.billing.ledger.LedgerSettings;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options of the billing job, shared by {@code flink run} and {@code bin/billing job}. */
public class JobOptions {

    /**
     * Reads durations the Flink way: "500ms", "10s", "24h", "7d". A bare number is refused: Flink
     * would take "2" as 2 ms, which is never what "--checkpoint-interval 2" meant.
     */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.strip().matches("\\d+")) {
                throw new TypeConversionException("'" + value.strip() + "' has no unit: write " + value.strip()
                        + "s, 500ms, 24h or 7d");
            }
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a duration: write 10s, 500ms, 24h or 7d");
            }
        }
    }

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    public String bootstrapServers;

    @Option(names = "--group-id", defaultValue = "billing-job", description = "Consumer group of the job's Kafka sources; offsets are committed on checkpoints (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(names = "--usage-topic", defaultValue = "usage-records", description = "Input: usage records (default: ${DEFAULT-VALUE}).")
    public String usageTopic;

    @Option(names = "--events-topic", defaultValue = "account-events", description = "Input: account events (default: ${DEFAULT-VALUE}).")
    public String eventsTopic;

    @Option(names = "--rates-topic", defaultValue = "rate-cards", description = "Input: rate cards (default: ${DEFAULT-VALUE}).")
    public String ratesTopic;

    @Option(names = "--status-topic", defaultValue = "account-status", description = "Output, compacted: account status for gateways (default: ${DEFAULT-VALUE}).")
    public String statusTopic;

    @Option(names = "--alerts-topic", defaultValue = "billing-alerts", description = "Output: spend and balance alerts (default: ${DEFAULT-VALUE}).")
    public String alertsTopic;

    @Option(names = "--payment-requests-topic", defaultValue = "payment-requests", description = "Output: auto top-up requests for the payments service, exactly once (default: ${DEFAULT-VALUE}).")
    public String paymentRequestsTopic;

    @Option(names = "--dlq-topic", defaultValue = "billing-dlq", description = "Output: rejected input with reasons (default: ${DEFAULT-VALUE}).")
    public String dlqTopic;

    @Option(names = "--topic-partitions", defaultValue = "4", description = "Partitions of topics the job creates when they are missing (default: ${DEFAULT-VALUE}).")
    public int topicPartitions;

    @Option(names = "--no-create-topics", negatable = true, defaultValue = "true", description = "Create missing topics at start (status topic compacted). Default: on.")
    public boolean createTopics = true;

    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://localhost:5432/postgres", description = "PostgreSQL for rollups and balances (default: ${DEFAULT-VALUE}).")
    public String jdbcUrl;

    @Option(names = "--jdbc-user", defaultValue = "postgres", description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
    public String jdbcUser;

    @Option(names = "--jdbc-password", defaultValue = "${env:BILLING_JDBC_PASSWORD:-}", description = "PostgreSQL password (default: the BILLING_JDBC_PASSWORD environment variable).")
    public String jdbcPassword;

    @Option(names = "--jdbc-password-file", description = "Read the PostgreSQL password from the first line of this file instead (a mounted secret).")
    public Path jdbcPasswordFile;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property for every consumer, producer and admin client of the job, e.g. security.protocol=SASL_SSL or ssl.truststore.location=/etc/kafka/truststore.jks (repeatable). JDBC connection properties (sslmode, sslrootcert, ...) go in --jdbc-url.")
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--no-migrate", negatable = true, defaultValue = "true", description = "Apply the schema migrations in sql/ at start (idempotent, safe when several jobs start at once). Default: on.")
    public boolean migrate = true;

    @Option(names = "--jdbc-batch-size", defaultValue = "500", description = "Rows per JDBC batch (default: ${DEFAULT-VALUE}).")
    public int jdbcBatchSize;

    @Option(names = "--jdbc-batch-interval", defaultValue = "200ms", converter = DurationConverter.class, description = "Longest wait before a partial JDBC batch is written (default: ${DEFAULT-VALUE}).")
    public Duration jdbcBatchInterval;

    @Option(names = "--jdbc-write-timeout", defaultValue = "30s", converter = DurationConverter.class, description = "Longest a write to PostgreSQL, or its wait for a lock, may take before it is cancelled and retried (statement_timeout, lock_timeout; connect and socket timeouts follow from it). Rows wait in the job's state while PostgreSQL is slow or down; billing and statuses do not (default: ${DEFAULT-VALUE}).")
    public Duration jdbcWriteTimeout;

    @Option(names = "--checkpoint-dir", converter = CheckpointDirs.Converter.class, description = "Where checkpoints go: a path (/var/lib/billing/checkpoints, relative too) or a URI (file:///..., s3://...). They are retained, and the job's balances live in them: a start without them is refused once the job has run (see --rebuild-state-from-earliest). Default: bin/billing job: $XDG_STATE_HOME/billing/checkpoints, ~/.local/state/billing/checkpoints when unset; flink run: the cluster's execution.checkpointing.dir.")
    public String checkpointDir;

    @Option(names = "--rebuild-state-from-earliest", description = "The checkpoints are lost: rebuild the state by reading the input topics from their earliest records (ignoring the group's committed offsets), judging time checks by each record's Kafka timestamp as a replay does. Refused when an input topic no longer starts at offset 0 (see --rebuild-without-full-history): usage-records and account-events need retention.ms=-1, rate-cards compaction. Overwrites account_balance and usage_hourly with the rebuilt totals. Refused together with a checkpoint or savepoint to restore.")
    public boolean rebuildStateFromEarliest;

    @Option(names = "--rebuild-without-full-history", description = "With --rebuild-state-from-earliest: rebuild even though an input topic no longer starts at offset 0 (retention or a delete-records removed its oldest records), which is refused otherwise. Only for an operator who knows what the deleted records held: the rebuilt state forgets the purchases, adjustments and settings in them, and grants accounts first seen there their free credits again.")
    public boolean rebuildWithoutFullHistory;

    /** Not an option: set by {@link StateGuard} for a rebuild, the highest row version already in PostgreSQL. */
    public long versionFloor;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class, description = "Exactly-once checkpoint interval; rollups and the dead-letter topic are complete up to the last checkpoint (default: ${DEFAULT-VALUE}).")
    public Duration checkpointInterval;

    @Option(names = "--parallelism", description = "Job parallelism (default: the cluster's default).")
    public Integer parallelism;

    @Option(names = "--free-credits", defaultValue = "5.00", description = "USD granted once to every new account (default: ${DEFAULT-VALUE}).")
    public BigDecimal freeCreditsUsd;

    @Option(names = "--minimum-purchase", defaultValue = "5.00", description = "Smallest CREDITS_PURCHASED amount accepted, USD (default: ${DEFAULT-VALUE}).")
    public BigDecimal minimumPurchaseUsd;

    @Option(names = "--billing-window", defaultValue = "7d", converter = DurationConverter.class, description = "Per account, in event time: an input more than this behind the account's newest goes to the DLQ as TOO_LATE, and request_ids and event_ids are remembered exactly this long, so a resend is dropped or dead-lettered, never billed twice. Downtime and backlogs do not shorten it (default: ${DEFAULT-VALUE}).")
    public Duration billingWindow;

    /** The two windows before --billing-window; refused, since two windows let a resend be billed twice. */
    @Option(names = {"--dedupe-retention", "--late-horizon"}, hidden = true, converter = RetiredWindowOption.class)
    Duration retiredWindow;

    /** Refuses the options that set the acceptance and the dedupe windows apart. */
    public static final class RetiredWindowOption implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            throw new picocli.CommandLine.TypeConversionException("--dedupe-retention and --late-horizon are replaced by"
                    + " --billing-window, one window for accepting records and remembering their ids (two windows let a"
                    + " resend be billed twice): use --billing-window " + value);
        }
    }

    @Option(names = "--max-future-skew", defaultValue = "1h", converter = DurationConverter.class, description = "A completed_at further ahead of the job's clock goes to the DLQ as FUTURE_TIMESTAMP (default: ${DEFAULT-VALUE}).")
    public Duration maxFutureSkew;

    @Option(names = "--input-max-drift", defaultValue = "1h", converter = DurationConverter.class, description = "How far in event time (completed_at, occurred_at) the usage and account-event topics may be read ahead of each other: a backlog (a rebuild, a catch-up, one topic lagging) is applied in event-time order within this, so the billing window judges only what is late in event time. Below --billing-window; a rebuild reads at most about this much event time per 50-100 ms (default: ${DEFAULT-VALUE}).")
    public Duration inputMaxDrift;

    @Option(names = "--input-idle-timeout", defaultValue = "2s", converter = DurationConverter.class, description = "A topic partition with nothing new for this long holds the other topic back no more. Below --input-max-drift, so a quiet topic never stalls live usage (default: ${DEFAULT-VALUE}).")
    public Duration inputIdleTimeout;

    @Option(names = "--input-start-timeout", defaultValue = "10s", converter = DurationConverter.class, description = "After a start or restore, a topic partition that has read nothing yet (or a source subtask still waiting for its partitions: seconds, on a busy cluster) holds the other topic back for up to this long before it counts as idle, so a backlog is not overtaken before its first fetch; a partition with nothing to read costs this much delay once per start (default: ${DEFAULT-VALUE}).")
    public Duration inputStartTimeout;

    @Option(names = "--flush-interval", defaultValue = "1s", converter = DurationConverter.class, description = "How often each account's changed rollup and balance rows are written to PostgreSQL (default: ${DEFAULT-VALUE}).")
    public Duration flushInterval;

    @Option(names = "--bundle-size", defaultValue = "1000", description = "The ledger applies its input in bundles: an account's inputs in a bundle cost one read and one write of its state. A bundle closes at this many inputs (default: ${DEFAULT-VALUE}).")
    public int bundleSize;

    @Option(names = "--bundle-time", defaultValue = "20ms", converter = DurationConverter.class, description = "... or this long after its first input, and before every checkpoint; statuses leave when their bundle closes, so this is part of the cutoff latency (default: ${DEFAULT-VALUE}).")
    public Duration bundleTime;

    @Option(names = "--allow-non-restored-state-of", paramLabel = "UID", description = "When restoring, drop the state of this operator (its uid, or its operator id in hex as the refusal prints it), which the checkpoint or savepoint holds and this build has no operator for (repeatable). A restore with any such state not named is refused before anything starts. Name only state you know is safe to drop: docs/operating.md (\"Releases, and what a restore of each drops\") says what each release pair drops and why. Operators this build retired on purpose are dropped without it, after checking they hold nothing to finish.")
    public List<String> allowNonRestoredStateOf = new ArrayList<>();

    @Option(names = "--low-balance-fraction", defaultValue = "0.10", description = "A LOW_BALANCE alert fires when the balance falls below this fraction of the last purchase (or of the free credits) (default: ${DEFAULT-VALUE}).")
    public BigDecimal lowBalanceFraction;

    /** The PostgreSQL password: from --jdbc-password-file when given, else --jdbc-password or BILLING_JDBC_PASSWORD. */
    public String password() {
        if (jdbcPasswordFile == null) {
            return jdbcPassword;
        }
        try {
            return Files.readAllLines(jdbcPasswordFile).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read --jdbc-password-file " + jdbcPasswordFile + ": " + e.getMessage(), e);
        }
    }

    /** --kafka-property entries as client properties. */
    public Properties kafkaClientProperties() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        return props;
    }

    /** How the input topics are kept in step ({@link InputOrder}); refuses a drift or an idle timeout that defeats it. */
    InputOrder inputOrder() {
        if (inputMaxDrift.isNegative() || inputMaxDrift.isZero() || inputMaxDrift.compareTo(billingWindow) >= 0) {
            throw new IllegalArgumentException("--input-max-drift must be above 0 and below --billing-window ("
                    + billingWindow.toString().substring(2).toLowerCase() + "): a topic read further ahead than the"
                    + " window would make the other topic's inputs TOO_LATE");
        }
        if (inputIdleTimeout.isNegative() || inputIdleTimeout.isZero() || inputIdleTimeout.compareTo(inputMaxDrift) >= 0) {
            throw new IllegalArgumentException("--input-idle-timeout must be above 0 and below --input-max-drift ("
                    + inputMaxDrift.toString().substring(2).toLowerCase() + "): a quiet topic would otherwise stall live"
                    + " usage until it counts as idle");
        }
        if (inputStartTimeout.isNegative() || inputStartTimeout.isZero()) {
            throw new IllegalArgumentException("--input-start-timeout must be above 0");
        }
        return new InputOrder(inputMaxDrift, inputIdleTimeout, inputStartTimeout);
    }

    public BillingWorkflow.Settings settings() {
        if (billingWindow.compareTo(Duration.ofHours(1)) < 0 || billingWindow.compareTo(maxFutureSkew) <= 0) {
            throw new IllegalArgumentException("--billing-window " + billingWindow.toString().substring(2).toLowerCase()
                    + " is too short: it must be at least 1h (an hour's rollup) and longer than --max-future-skew");
        }
        inputOrder(); // its options are checked with the others, before anything starts
        if (bundleSize < 1 || bundleTime.isNegative() || bundleTime.isZero()) {
            throw new IllegalArgumentException("--bundle-size must be at least 1 and --bundle-time above 0");
        }
        LedgerSettings ledger = new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction)
                .withVersionFloor(versionFloor).withBundles(bundleSize, bundleTime);
        BillingWorkflow.Settings settings = new BillingWorkflow.Settings(ledger, minimumPurchaseUsd, maxFutureSkew);
        // a rebuild reads the past: judge it by the clock it was read by, as a replay does
        return rebuildStateFromEarliest ? settings.forReplay() : settings;
    }
}
