package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.BlockReason;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BalanceViewTest {
    private static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

    private static BalanceRow row(long version, String status, String balance, String monthSpend, String limit) {
        BigDecimal credits = new BigDecimal("15.000000000000000000");
        return new BalanceRow("a", credits, credits.subtract(new BigDecimal(balance)), new BigDecimal(balance), status,
                new BigDecimal(monthSpend), limit == null ? null : new BigDecimal(limit),
                List.of(new BigDecimal("10.000000"), new BigDecimal("20")), new BigDecimal("0.000000000000000000"),
                Instant.parse("2026-03-15T09:59:59Z"), version);
    }

    private static AccountStatus status(long version, boolean blocked, String balance, String monthSpend, Instant asOf) {
        return new AccountStatus("a", blocked, blocked ? List.of(BlockReason.BALANCE_EXHAUSTED) : List.of(),
                new BigDecimal(balance), new BigDecimal(monthSpend), version, asOf);
    }

    @Test
    void aNewerStatusGivesStatusBalanceAndMonthSpendTheRowTheRest() {
        ObjectNode json = BalanceView.of("a", status(8, true, "-0.000042", "15.000042", NOW.minusSeconds(1)),
                row(7, "ACTIVE", "0.50", "14.50", null), NOW);
        assertThat(json.get("status").asText()).isEqualTo("BLOCKED");
        assertThat(json.get("reasons").toString()).isEqualTo("[\"BALANCE_EXHAUSTED\"]");
        assertThat(json.get("balance_usd").asText()).isEqualTo("-0.000042");
        assertThat(json.get("month_spend_usd").asText()).isEqualTo("15.000042");
        assertThat(json.get("credits_usd").asText()).isEqualTo("15.00");
        assertThat(json.get("spend_usd").asText()).isEqualTo("14.50");
        assertThat(json.get("alert_thresholds_usd").toString()).isEqualTo("[\"10.00\",\"20.00\"]");
        assertThat(json.get("free_credits_left_usd").asText()).isEqualTo("0.00");
        assertThat(json.get("monthly_hard_limit_usd").isNull()).isTrue();
        assertThat(json.get("source").asText()).isEqualTo("account-status");
        assertThat(json.get("version").asLong()).isEqualTo(8);
    }

    @Test
    void aNewerRowWinsAndItsReasonsFollowFromItsFigures() {
        ObjectNode json = BalanceView.of("a", status(6, false, "1.00", "14.00", NOW.minusSeconds(5)),
                row(7, "BLOCKED", "5.00", "20.00", "20.00"), NOW);
        assertThat(json.get("status").asText()).isEqualTo("BLOCKED");
        assertThat(json.get("reasons").toString()).isEqualTo("[\"MONTHLY_LIMIT\"]");
        assertThat(json.get("balance_usd").asText()).isEqualTo("5.00");
        assertThat(json.get("monthly_hard_limit_usd").asText()).isEqualTo("20.00");
        assertThat(json.get("source").asText()).isEqualTo("account_balance");
        assertThat(json.get("as_of").asText()).isEqualTo("2026-03-15T09:59:59Z");
    }

    @Test
    void aStatusOfAnEarlierMonthMeansNothingSpentThisMonth() {
        ObjectNode json = BalanceView.of("a", status(3, false, "4.00", "1.00", Instant.parse("2026-02-28T23:59:00Z")),
                null, NOW);
        assertThat(json.get("month_spend_usd").asText()).isEqualTo("0.00");
        assertThat(json.get("credits_usd").isNull()).as("no row yet").isTrue();
        assertThat(json.get("alert_thresholds_usd")).isEmpty();
    }

    @Test
    void nothingPublishedIsNothing() {
        assertThat(BalanceView.of("a", null, null, NOW)).isNull();
    }
}
