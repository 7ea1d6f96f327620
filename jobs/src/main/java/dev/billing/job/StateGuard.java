package dev.billing.job;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Refuses to start the job with empty state when it has run before. The balances live only in the
 * job's state; the sources resume at the consumer group's committed offsets. So a start that
 * restores nothing (the checkpoints were lost) while the group has committed offsets or
 * PostgreSQL holds balances would grant every account its free credits again, forget purchases
 * and spend, and overwrite the lifetime totals in PostgreSQL with the small new ones, silently.
 *
 * <p>Both entry points ask it before they write anything: {@code flink run} ({@link BillingJob})
 * and {@code bin/billing job}. A restore is a checkpoint or savepoint path in
 * {@link StateRecoveryOptions#SAVEPOINT_PATH} ({@code execution.state-recovery.path}, which
 * {@code flink run -s} and {@code bin/billing job}'s own resume set).
 */
public final class StateGuard {
    private static final long TIMEOUT_S = 30;

    /** A start refused; the message says what was found, why it matters and what to do. */
    public static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message);
        }
    }

    /** What a restart would have needed to restore, found without it. */
    record Traces(String groupId, List<String> committedTopics, long accounts, String jdbcUrl) {
        boolean any() {
            return !committedTopics.isEmpty() || accounts > 0;
        }
    }

    private StateGuard() {}

    /** The checkpoint or savepoint this start restores, if any. */
    public static Optional<String> restorePath(ReadableConfig conf) {
        return conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).filter(p -> !p.isBlank());
    }

    /**
     * Passes a start that restores state, a first start, and an explicit rebuild from topics that
     * still hold their whole history ({@link TopicHistory}); throws
     * {@link Refusal} otherwise. {@code lookedFor} says where a restore was looked for, for the message.
     */
    public static void check(JobOptions options, Optional<String> restore, String lookedFor) {
        if (options.rebuildStateFromEarliest) {
            restore.ifPresent(path -> {
                throw new Refusal("Refusing --rebuild-state-from-earliest: this start restores the job's state from "
                        + path + ". A rebuild starts from empty state and is only for state that is lost. Drop the option"
                        + " to continue from that state; to rebuild anyway, start without it (bin/billing job: a new,"
                        + " empty --checkpoint-dir; flink run: without -s).");
            });
            if (!options.rebuildWithoutFullHistory) {
                TopicHistory.requireFromStart(options);
            }
            // the rows and statuses of the lost state carry versions; the rebuilt ones must go above them
            options.versionFloor = highestVersion(options);
            return;
        }
        if (restore.isPresent()) {
            return;
        }
        Traces traces = traces(options);
        if (traces.any()) {
            throw new Refusal(message(traces, lookedFor));
        }
    }

    static String message(Traces traces, String lookedFor) {
        List<String> found = new ArrayList<>();
        if (!traces.committedTopics().isEmpty()) {
            found.add("consumer group '" + traces.groupId() + "' has committed offsets on "
                    + String.join(", ", traces.committedTopics()));
        }
        if (traces.accounts() > 0) {
            found.add("account_balance holds " + traces.accounts() + " account" + (traces.accounts() == 1 ? "" : "s")
                    + " (" + JdbcUrls.redacted(traces.jdbcUrl()) + ")");
        }
        String nl = System.lineSeparator();
        return "Refusing to start: the billing job has run before, but its state is not being restored." + nl
                + "  Found: " + String.join("; ", found) + "." + nl
                + "  Restored: nothing (" + lookedFor + ")." + nl
                + "The balances live in the job's checkpointed state. Started without it, the job would read on from the"
                + " committed offsets with empty state: every account would get its free credits again, earlier"
                + " purchases and spend would be forgotten, and the totals written to PostgreSQL would overwrite the"
                + " lifetime credits and spend there." + nl
                + "To continue, restore the state:" + nl
                + "  - bin/billing job resumes from the newest retained checkpoint in --checkpoint-dir: pass the"
                + " directory the job used before;" + nl
                + "  - on a cluster: flink run -s <checkpoint-dir>/<job-id>/chk-<n> (or a savepoint) ... with the same"
                + " options." + nl
                + "If the checkpoints are gone for good, rebuild the state from the input topics (their retention must"
                + " still reach back to the first record): start with --rebuild-state-from-earliest.";
    }

    private static Traces traces(JobOptions options) {
        long accounts = accounts(options); // PostgreSQL first: a wrong URL fails at once, Kafka waits for its timeout
        return new Traces(options.groupId, committedTopics(options), accounts, options.jdbcUrl);
    }

    /** The input topics on which the job's consumer group has committed an offset, in option order. */
    static List<String> committedTopics(JobOptions options) {
        Properties props = options.kafkaClientProperties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TimeUnit.SECONDS.toMillis(TIMEOUT_S)));
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try (Admin admin = Admin.create(props)) {
            offsets = admin.listConsumerGroupOffsets(options.groupId).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw new IllegalStateException("Could not read the committed offsets of consumer group " + options.groupId
                    + " on " + options.bootstrapServers + ": " + sentence(e.getCause().getMessage())
                    + " Check --bootstrap-servers and --kafka-property.", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not read the committed offsets of consumer group " + options.groupId
                    + " on " + options.bootstrapServers + " within " + TIMEOUT_S + " s. Check --bootstrap-servers.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading committed offsets", e);
        }
        List<String> topics = new ArrayList<>();
        for (String topic : List.of(options.usageTopic, options.eventsTopic, options.ratesTopic)) {
            boolean committed = offsets.entrySet().stream()
                    .anyMatch(e -> e.getKey().topic().equals(topic) && e.getValue() != null);
            if (committed && !topics.contains(topic)) {
                topics.add(topic);
            }
        }
        return topics;
    }

    /** Rows of account_balance in the job's schema; 0 before the migrations created it. */
    static long accounts(JobOptions options) {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.password());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('account_balance') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM account_balance")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count the balances at " + JdbcUrls.redacted(options.jdbcUrl) + ": " + sentence(e.getMessage())
                    + " Check --jdbc-url, --jdbc-user and BILLING_JDBC_PASSWORD.", e);
        }
    }

    /** The highest row version in PostgreSQL; 0 before the tables (or their version columns) exist. */
    static long highestVersion(JobOptions options) {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.password());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM information_schema.columns"
                    + " WHERE table_schema = current_schema() AND column_name = 'version'"
                    + " AND table_name IN ('account_balance', 'usage_hourly')) = 2")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT greatest((SELECT max(version) FROM account_balance),"
                    + " (SELECT max(version) FROM usage_hourly))")) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the row versions at " + JdbcUrls.redacted(options.jdbcUrl)
                    + ": " + sentence(e.getMessage()) + " Check --jdbc-url, --jdbc-user and BILLING_JDBC_PASSWORD.", e);
        }
    }

    /** A driver's message as a sentence that ends in one period. */
    private static String sentence(String message) {
        String text = message == null ? "no detail" : message.strip();
        return text.endsWith(".") ? text : text + ".";
    }
}
