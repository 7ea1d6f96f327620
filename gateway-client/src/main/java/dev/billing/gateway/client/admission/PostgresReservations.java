package dev.billing.gateway.client.admission;

import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.Collection;
import javax.sql.DataSource;

/**
 * {@link Reservations} in PostgreSQL (tables {@code gateway_admission} and
 * {@code gateway_reservations}, migration {@code V7__gateway_reservations.sql}), shared by every
 * gateway replica. A reservation locks the account's {@code gateway_admission} row first, so the
 * reservations of one account are decided one at a time across replicas; each later statement of
 * the transaction reads what the one before it committed (READ COMMITTED takes a new snapshot
 * per statement, after the lock). The row keeps the newest balance any replica has seen published,
 * so every replica counts held usage against the same balance, and usage that balance covers is
 * deleted in the same transaction.
 *
 * <p>Holds expire ({@code expires_at}, PostgreSQL's clock): a request's worst case after
 * {@code reservedFor} (longer than any response may take), a delivered request's cost after
 * {@code deliveredFor} (longer than the job may lag), so a replica that died holds nothing for long.
 */
public final class PostgresReservations implements Reservations {
    /**
     * A balance replaces the kept one when its version is newer and its position is not behind the
     * kept one's on the same partition: a job restored from a checkpoint publishes its state's
     * balance again under a new version, before it has replayed the usage since, and the holds of
     * that usage may already be gone.
     */
    private static final String NEWER = """
            (EXCLUDED.status_version > a.status_version AND (a.usage_offset IS NULL OR EXCLUDED.usage_offset IS NULL
              OR EXCLUDED.usage_partition IS DISTINCT FROM a.usage_partition OR EXCLUDED.usage_offset >= a.usage_offset))""";
    private static final String LOCK_AND_PUBLISH = """
            INSERT INTO gateway_admission AS a (account_id, status_version, balance_usd, usage_partition, usage_offset)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET
              balance_usd = CASE WHEN %1$s THEN EXCLUDED.balance_usd ELSE a.balance_usd END,
              usage_partition = CASE WHEN %1$s THEN EXCLUDED.usage_partition ELSE a.usage_partition END,
              usage_offset = CASE WHEN %1$s THEN EXCLUDED.usage_offset ELSE a.usage_offset END,
              status_version = CASE WHEN %1$s THEN EXCLUDED.status_version ELSE a.status_version END,
              updated_at = now()
            RETURNING balance_usd, usage_partition, usage_offset""".formatted(NEWER);
    /** A hold is covered when its usage is at or before the balance's position on the same partition. */
    private static final String COVERED = "(r.usage_partition = ? AND r.usage_offset <= ?) IS TRUE";
    private static final String DROP_COVERED_AND_SUM_HELD = """
            WITH gone AS (DELETE FROM gateway_reservations r WHERE r.account_id = ? AND (r.expires_at <= now() OR %1$s))
            SELECT coalesce(sum(r.amount_usd), 0) FROM gateway_reservations r
            WHERE r.account_id = ? AND r.expires_at > now() AND NOT %1$s""".formatted(COVERED);
    private static final String HOLD = """
            INSERT INTO gateway_reservations (reservation_id, account_id, gateway_id, amount_usd, expires_at)
            VALUES (?, ?, ?, ?, now() + ?::interval)""";
    private static final String SETTLE = """
            INSERT INTO gateway_reservations AS r
              (reservation_id, account_id, gateway_id, amount_usd, usage_partition, usage_offset, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, now() + ?::interval)
            ON CONFLICT (reservation_id) DO UPDATE SET amount_usd = EXCLUDED.amount_usd,
              usage_partition = EXCLUDED.usage_partition, usage_offset = EXCLUDED.usage_offset,
              expires_at = EXCLUDED.expires_at""";
    private static final String RELEASE = "DELETE FROM gateway_reservations WHERE reservation_id = ?";
    private static final String RECLAIM = """
            DELETE FROM gateway_reservations
            WHERE gateway_id = ? AND usage_offset IS NULL AND NOT (reservation_id = ANY (?))""";
    private static final String HOLD_AT_COST = """
            INSERT INTO gateway_reservations (reservation_id, account_id, gateway_id, amount_usd, expires_at)
            VALUES (?, ?, ?, ?, now() + ?::interval)
            ON CONFLICT (reservation_id) DO UPDATE SET amount_usd = EXCLUDED.amount_usd,
              usage_partition = NULL, usage_offset = NULL, expires_at = EXCLUDED.expires_at""";

    private final DataSource dataSource;
    private final int timeoutSeconds;
    private final String reservedFor;
    private final String deliveredFor;

    /**
     * @param timeout the most any statement may take (a lock waited for included)
     * @param reservedFor how long a request's worst case is held at most
     * @param deliveredFor how long a delivered request's cost is held at most when no published balance covers it
     */
    public PostgresReservations(DataSource dataSource, Duration timeout, Duration reservedFor, Duration deliveredFor) {
        this.dataSource = dataSource;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        this.reservedFor = interval(reservedFor);
        this.deliveredFor = interval(deliveredFor);
    }

    private static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }

    @Override
    public Outcome reserve(String id, String accountId, String gatewayId, BigDecimal amountUsd, PublishedBalance published)
            throws ReservationsUnavailable {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                BigDecimal balance;
                Integer partition;
                Long offset;
                try (PreparedStatement s = prepare(c, LOCK_AND_PUBLISH)) {
                    s.setString(1, accountId);
                    s.setLong(2, published.version());
                    s.setBigDecimal(3, published.balanceUsd());
                    setPosition(s, 4, published.position());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        balance = rs.getBigDecimal(1);
                        partition = (Integer) rs.getObject(2);
                        offset = (Long) rs.getObject(3);
                    }
                }
                BigDecimal held;
                try (PreparedStatement s = prepare(c, DROP_COVERED_AND_SUM_HELD)) {
                    s.setString(1, accountId);
                    setNullableInt(s, 2, partition);
                    setNullableLong(s, 3, offset);
                    s.setString(4, accountId);
                    setNullableInt(s, 5, partition);
                    setNullableLong(s, 6, offset);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        held = rs.getBigDecimal(1);
                    }
                }
                BigDecimal available = balance.subtract(held);
                boolean fits = available.compareTo(amountUsd) >= 0;
                if (fits) {
                    try (PreparedStatement s = prepare(c, HOLD)) {
                        s.setString(1, id);
                        s.setString(2, accountId);
                        s.setString(3, gatewayId);
                        s.setBigDecimal(4, amountUsd);
                        s.setString(5, reservedFor);
                        s.executeUpdate();
                    }
                }
                c.commit();
                return new Outcome(fits, available);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("reserve for " + accountId, e);
        }
    }

    @Override
    public void settle(String gatewayId, Collection<Settlement> settlements) throws ReservationsUnavailable {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, SETTLE)) {
            for (Settlement settled : settlements) {
                s.setString(1, settled.requestId());
                s.setString(2, settled.accountId());
                s.setString(3, gatewayId);
                s.setBigDecimal(4, settled.costUsd());
                setPosition(s, 5, settled.position());
                s.setString(7, deliveredFor);
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw unavailable("settle " + settlements.size() + " holds", e);
        }
    }

    @Override
    public void release(String id) throws ReservationsUnavailable {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, RELEASE)) {
            s.setString(1, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("release " + id, e);
        }
    }

    @Override
    public void reclaim(String gatewayId, Collection<Undelivered> undelivered) throws ReservationsUnavailable {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement drop = prepare(c, RECLAIM); PreparedStatement keep = prepare(c, HOLD_AT_COST)) {
                drop.setString(1, gatewayId);
                drop.setArray(2, c.createArrayOf("text", undelivered.stream().map(Undelivered::requestId).toArray()));
                drop.executeUpdate();
                for (Undelivered u : undelivered) {
                    keep.setString(1, u.requestId());
                    keep.setString(2, u.accountId());
                    keep.setString(3, gatewayId);
                    keep.setBigDecimal(4, u.costUsd());
                    keep.setString(5, deliveredFor);
                    keep.addBatch();
                }
                keep.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("reclaim the holds of " + gatewayId, e);
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setQueryTimeout(timeoutSeconds);
        return s;
    }

    private static void setPosition(PreparedStatement s, int index, UsagePosition p) throws SQLException {
        setNullableInt(s, index, p == null ? null : p.partition());
        setNullableLong(s, index + 1, p == null ? null : p.offset());
    }

    private static void setNullableInt(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    private static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private static ReservationsUnavailable unavailable(String what, SQLException e) {
        return new ReservationsUnavailable("could not " + what + " in PostgreSQL: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing a pool: nothing left to do with it
            }
        }
    }
}
