package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.embedded.LocalPostgres;
import dev.billing.model.RejectReason;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bounds are PostgreSQL's own: numeric(38,18) and bigint; the real server judges each value too. */
class ColumnBoundsTest {
    private static LocalPostgres postgres;

    @BeforeAll
    static void locatePostgres() {
        postgres = LocalPostgres.locate(m -> { });
    }

    @AfterAll
    static void close() throws Exception {
        postgres.close();
    }

    /** PostgreSQL's verdict: stored without an error (22003 numeric overflow) and without rounding. */
    private static boolean postgresStoresExactly(String value) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl, postgres.user, postgres.password);
                PreparedStatement ps = c.prepareStatement("SELECT ?::numeric(38,18) = ?::numeric")) {
            ps.setString(1, value);
            ps.setString(2, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            if ("22003".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    @ParameterizedTest(name = "{0} fits: {1}")
    @CsvSource({
        "0, true",
        "99999999999999999999.999999999999999999, true",
        "-99999999999999999999.999999999999999999, true",
        "100000000000000000000, false",
        "-100000000000000000000, false",
        "0.000000000000000001, true",
        "0.0000000000000000001, false",
        "1.5000000000000000000000, true", // trailing zeros are not digits PostgreSQL must keep
        "1E+19, true",
        "1E+20, false",
    })
    void numericHoldsTwentyIntegerDigitsAndEighteenDecimals(String value, boolean fits) throws SQLException {
        assertThat(postgresStoresExactly(new BigDecimal(value).toPlainString())).as("PostgreSQL").isEqualTo(fits);
        assertThat(ColumnBounds.fits(new BigDecimal(value))).isEqualTo(fits);
    }

    @Test
    void anAmountThatFitsAloneCanOverflowASum() {
        BigDecimal billion = new BigDecimal("1000000000");
        BigDecimal nearTheTop = new BigDecimal("99999999999000000000");
        assertThat(ColumnBounds.fits(billion)).isTrue();
        assertThat(ColumnBounds.sumFits(nearTheTop, billion.subtract(BigDecimal.ONE))).isTrue();
        assertThat(ColumnBounds.sumFits(nearTheTop, billion)).isFalse();
        assertThat(ColumnBounds.sumFits(nearTheTop.negate(), billion.negate())).isFalse();
    }

    @Test
    void theBalanceIsAColumnToo() {
        BigDecimal big = new BigDecimal("60000000000000000000");
        // credits and spend each fit, their difference does not
        assertThat(ColumnBounds.balanceFits(big, big.negate())).isFalse();
        assertThat(ColumnBounds.balanceFits(big, big)).isTrue();
        assertThat(ColumnBounds.balanceFits(new BigDecimal("1E+20"), BigDecimal.ZERO)).isFalse();
    }

    @Test
    void countsStayWithinBigint() {
        assertThat(ColumnBounds.bigintSumFits(Long.MAX_VALUE - 5, 5)).isTrue();
        assertThat(ColumnBounds.bigintSumFits(Long.MAX_VALUE - 5, 6)).isFalse();
        assertThat(ColumnBounds.bigintSumFits(Long.MAX_VALUE, 0)).isTrue();
        assertThatThrownBy(() -> ColumnBounds.bigintSumFits(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCheckNamesTheFirstColumnThatWouldOverflowAndItsReason() {
        BigDecimal top = new BigDecimal("99999999999999999999");
        assertThat(new ColumnBounds.Check()
                .plus("account_balance.spend_usd", BigDecimal.ONE, BigDecimal.ONE)
                .plus("usage_hourly.requests", 1, 1)
                .firstOverflow()).isNull();
        String overflow = new ColumnBounds.Check()
                .plus("account_balance.spend_usd", BigDecimal.ONE, BigDecimal.ONE)
                .plus("usage_hourly.prompt_tokens", Long.MAX_VALUE, 1)
                .plus("account_balance.credits_usd", top, BigDecimal.ONE)
                .firstOverflow();
        assertThat(overflow).startsWith("usage_hourly.prompt_tokens ").contains("bigint");
        ColumnBounds.Check money = new ColumnBounds.Check().plus("account_balance.credits_usd", top, BigDecimal.ONE);
        assertThat(money.firstOverflow()).startsWith("account_balance.credits_usd would be 100000000000000000000");
        assertThat(money.reason()).isEqualTo(RejectReason.INVALID_AMOUNT);
        assertThat(new ColumnBounds.Check().plus("usage_hourly.requests", Long.MAX_VALUE, 1).reason())
                .isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(new ColumnBounds.Check().plus("usage_hourly.requests", 1, 1).reason()).isNull();
    }
}
