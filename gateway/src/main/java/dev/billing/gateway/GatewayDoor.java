package dev.billing.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.TopicFollower;
import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.PostgresReservations;
import dev.billing.gateway.client.admission.RateCards;
import dev.billing.gateway.client.admission.ReservationsUnavailable;
import dev.billing.gateway.openai.JournaledUsageSink;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What stands at the gateway's door, assembled from the client library: the job's prices (the
 * list prices, then the {@code rate-cards} topic), the reservations every replica shares in
 * PostgreSQL (a small pool whose statements and connections time out), the {@link Admission}
 * over them, and the usage journal that makes a request's usage durable before it is answered.
 */
public final class GatewayDoor implements AutoCloseable {
    /**
     * The most a reservation waits for a connection, and each of its statements for PostgreSQL (a
     * lock included): an account's reservations are decided one at a time, so a burst of one
     * account's requests queues here on a busy machine; past it the request is answered 503.
     */
    static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a hold lasts at most without being settled or covered (longer than any response and any job lag). */
    static final Duration HOLD_FOR = Duration.ofHours(1);
    private static final int RESERVATION_CONNECTIONS = 16;

    /**
     * @param gatewayId this replica, stable across its restarts; each replica its own
     * @param freeCreditsUsd the job's {@code --free-credits}: the balance of an account it has published nothing for
     * @param journalDir this replica's usage journal, kept across its restarts
     * @param maxUndelivered usage records waiting for Kafka beyond which requests are refused 503
     */
    public record Settings(String bootstrapServers, String usageTopic, String ratesTopic, Properties kafka,
            DatabaseOptions database, BigDecimal freeCreditsUsd, String gatewayId, Path journalDir, int maxUndelivered) {}

    private final TopicFollower rateCards;
    private final Admission admission;
    private final JournaledUsageSink usage;

    private GatewayDoor(TopicFollower rateCards, Admission admission, JournaledUsageSink usage) {
        this.rateCards = rateCards;
        this.admission = admission;
        this.usage = usage;
    }

    /**
     * Opens the door: starts following the rate cards, reclaims what this gateway's previous run
     * held, and starts delivering its journal.
     *
     * @param statuses the newest known status of an account (the cutoff client's)
     * @throws ReservationsUnavailable when PostgreSQL or its {@code gateway_reservations} table is not there (yet)
     */
    public static GatewayDoor open(Settings s, Function<String, AccountStatus> statuses) throws Exception {
        RateCards rates = RateCards.listPrices();
        TopicFollower rateCards = new TopicFollower(CutoffClientConfig.builder(s.bootstrapServers()).topic(s.ratesTopic())
                .kafkaProperties(s.kafka()).build(), rates);
        Admission admission = new Admission(statuses, rates, reservations(s.database()), s.freeCreditsUsd(),
                s.gatewayId(), Clock.systemUTC());
        try {
            JournaledUsageSink usage = JournaledUsageSink.start(s.journalDir(), s.bootstrapServers(), s.usageTopic(),
                    s.kafka(), s.maxUndelivered(), admission);
            Thread t = new Thread(rateCards, "rate-cards-follower");
            t.setDaemon(true);
            t.start();
            return new GatewayDoor(rateCards, admission, usage);
        } catch (Exception e) {
            admission.close();
            throw e;
        }
    }

    private static PostgresReservations reservations(DatabaseOptions database) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("gateway-reservations");
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.jdbcUser());
        if (!database.password().isEmpty()) {
            pool.setPassword(database.password());
        }
        pool.setMaximumPoolSize(RESERVATION_CONNECTIONS);
        pool.setConnectionTimeout(DATABASE_TIMEOUT.toMillis());
        pool.setInitializationFailTimeout(-1); // start without the database: requests get 503 until it answers
        pool.addDataSourceProperty("socketTimeout", Long.toString(DATABASE_TIMEOUT.toSeconds() * 2));
        return new PostgresReservations(new HikariDataSource(pool), DATABASE_TIMEOUT, HOLD_FOR, HOLD_FOR);
    }

    public Admission admission() {
        return admission;
    }

    public JournaledUsageSink usage() {
        return usage;
    }

    /** Completes once the whole rate-cards topic has been read. */
    public CompletableFuture<Void> ratesBootstrapped() {
        return rateCards.bootstrapped();
    }

    /** Delivers what it can of the journal (the rest goes at the next start), then closes. */
    @Override
    public void close() throws Exception {
        try {
            usage.close();
        } finally {
            rateCards.stop();
            admission.close();
        }
    }
}
