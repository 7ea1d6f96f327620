package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.client.UsagePosition;
import dev.billing.gateway.client.admission.PostgresReservations;
import dev.billing.gateway.client.admission.PublishedBalance;
import dev.billing.gateway.client.admission.Reservations;
import dev.billing.job.Migrations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared reservations on the real PostgreSQL: held atomically across callers, covered exactly, reclaimed. */
class PostgresReservationsIT {
    private static LocalPostgres postgres;
    private static String jdbcUrl;

    @BeforeAll
    static void migrate() throws Exception {
        postgres = LocalPostgres.locate(System.out::println);
        jdbcUrl = postgres.freshSchema("it_reservations");
        Migrations.apply(jdbcUrl, postgres.user, postgres.password);
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static PostgresReservations reservations(int connections) {
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(postgres.user);
        pool.setPassword(postgres.password);
        pool.setMaximumPoolSize(connections);
        return new PostgresReservations(new HikariDataSource(pool), Duration.ofSeconds(2), Duration.ofHours(1),
                Duration.ofHours(1));
    }

    private static PublishedBalance balance(long version, String usd, UsagePosition position) {
        return new PublishedBalance(version, new BigDecimal(usd), position);
    }

    @Test
    void manyCallersAtOnceHoldNoMoreThanTheBalance() throws Exception {
        try (PostgresReservations shared = reservations(8)) {
            ExecutorService callers = Executors.newFixedThreadPool(32);
            AtomicInteger held = new AtomicInteger();
            List<Future<?>> all = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 64; i++) {
                String id = "r" + i;
                all.add(callers.submit(() -> {
                    if (shared.reserve(id, "acct-race", "gw", new BigDecimal("0.03"), balance(1, "1.00", null)).held()) {
                        held.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
            System.out.printf("RESERVATIONS: 64 callers on one account, 32 at a time, 8 connections: %.0f ms in all%n",
                    (System.nanoTime() - started) / 1e6);
            callers.shutdown();
            assertThat(held.get()).as("$1.00 holds 33 worst cases of $0.03").isEqualTo(33);
        }
    }

    @Test
    void deliveredUsageIsHeldUntilAPublishedBalanceCoversItsPosition() throws Exception {
        try (PostgresReservations shared = reservations(2)) {
            assertThat(shared.reserve("a", "acct-cover", "gw", new BigDecimal("0.50"), balance(1, "1.00", null)).held())
                    .isTrue();
            // delivered at partition 2, offset 10, costing less than its worst case
            shared.settle("gw", List.of(new Reservations.Settlement("a", "acct-cover", new BigDecimal("0.20"),
                    new UsagePosition(2, 10))));
            Reservations.Outcome before = shared.reserve("b", "acct-cover", "gw", new BigDecimal("0.80"),
                    balance(1, "1.00", null));
            assertThat(before.held()).isTrue();
            assertThat(before.availableUsd()).isEqualByComparingTo("0.80");
            shared.release("b");
            // a balance of another partition's position does not cover it; one at the offset does, once
            assertThat(shared.reserve("c", "acct-cover", "gw", BigDecimal.ZERO, balance(2, "0.80", new UsagePosition(1, 99)))
                    .availableUsd()).isEqualByComparingTo("0.60");
            assertThat(shared.reserve("d", "acct-cover", "gw", BigDecimal.ZERO, balance(3, "0.80", new UsagePosition(2, 10)))
                    .availableUsd()).isEqualByComparingTo("0.80");
            // an older balance, seen later by another replica, changes nothing
            assertThat(shared.reserve("e", "acct-cover", "gw", BigDecimal.ZERO, balance(2, "1.00", null))
                    .availableUsd()).isEqualByComparingTo("0.80");
        }
    }

    @Test
    void aRestoredJobsBalanceBehindTheUsageAlreadyCoveredIsNotTaken() throws Exception {
        try (PostgresReservations shared = reservations(2)) {
            shared.reserve("restored-a", "acct-restored", "gw", new BigDecimal("0.40"), balance(1, "1.00", null));
            shared.settle("gw", List.of(new Reservations.Settlement("restored-a", "acct-restored", new BigDecimal("0.40"),
                    new UsagePosition(0, 20))));
            // the job billed it: covered, and the hold is gone
            assertThat(shared.reserve("restored-b", "acct-restored", "gw", BigDecimal.ZERO, balance(5, "0.60", new UsagePosition(0, 20)))
                    .availableUsd()).isEqualByComparingTo("0.60");
            // restored from a checkpoint before it, the job says 1.00 again under a newer version: not taken
            assertThat(shared.reserve("restored-c", "acct-restored", "gw", BigDecimal.ZERO, balance(6, "1.00", new UsagePosition(0, 12)))
                    .availableUsd()).isEqualByComparingTo("0.60");
            // once its replay is past the position again, its balance is
            assertThat(shared.reserve("restored-d", "acct-restored", "gw", BigDecimal.ZERO, balance(7, "0.55", new UsagePosition(0, 21)))
                    .availableUsd()).isEqualByComparingTo("0.55");
        }
    }

    @Test
    void aRestartedGatewayReleasesWhatItsRequestsHeldExceptTheUsageStillToDeliver() throws Exception {
        try (PostgresReservations shared = reservations(2)) {
            shared.reserve("in-flight", "acct-restart", "gw-1", new BigDecimal("0.40"), balance(1, "1.00", null));
            shared.reserve("journaled", "acct-restart", "gw-1", new BigDecimal("0.40"), balance(1, "1.00", null));
            shared.reserve("other-gateway", "acct-restart", "gw-2", new BigDecimal("0.10"), balance(1, "1.00", null));

            shared.reclaim("gw-1", List.of(new Reservations.Undelivered("journaled", "acct-restart", new BigDecimal("0.25"))));

            assertThat(shared.reserve("next", "acct-restart", "gw-1", BigDecimal.ZERO, balance(1, "1.00", null))
                    .availableUsd()).as("1.00 - 0.25 journaled - 0.10 of the other gateway").isEqualByComparingTo("0.65");
        }
    }
}
