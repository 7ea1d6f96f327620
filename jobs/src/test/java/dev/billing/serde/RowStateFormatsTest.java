package dev.billing.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.ledger.UsageHourlyRow;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.AccountBalanceRow;
import java.io.IOException;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The rows an upsert sink holds in its checkpoints come back exactly: every field, money to the last digit and scale. */
class RowStateFormatsTest {
    @Test
    void aBalanceRowRoundTripsEveryField() throws IOException {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = "acct-ü-1";
        row.creditsUsd = new BigDecimal("1000000000.000001");
        row.spendUsd = new BigDecimal("12345678901234567890.123456789012345678"); // beyond a long
        row.balanceUsd = new BigDecimal("-0.50");
        row.status = "BLOCKED";
        row.monthSpendUsd = new BigDecimal("5.00");
        row.spendMonthStartMs = 1_764_547_200_000L;
        row.monthlyHardLimitUsd = null;
        row.alertThresholdsUsd = new BigDecimal[] {new BigDecimal("10.00"), new BigDecimal("50")};
        row.freeCreditsLeftUsd = BigDecimal.ZERO;
        row.updatedAtMs = 1_764_550_000_123L;
        row.version = 42;

        var serializer = new FormatStateSerializer<>(AccountBalanceRowFormat.INSTANCE);
        AccountBalanceRow back = serializer.deserialize(serializer.getVersion(), serializer.serialize(row));
        assertThat(back).usingRecursiveComparison().isEqualTo(row);
        assertThat(back.balanceUsd.toString()).isEqualTo("-0.50");
    }

    @Test
    void aRollupRowRoundTripsEveryField() throws IOException {
        UsageRollup totals = new UsageRollup();
        totals.model = "deepseek-v3";
        totals.hourStartMs = 1_764_547_200_000L;
        totals.requests = 7;
        totals.promptTokens = 14_000_007;
        totals.completionTokens = 3;
        totals.costUsd = new BigDecimal("3.500001750000000000");
        totals.listCostUsd = new BigDecimal("3.50000175");
        UsageHourlyRow row = new UsageHourlyRow("acct-1", totals, 9);

        var serializer = new FormatStateSerializer<>(UsageHourlyRowFormat.INSTANCE);
        UsageHourlyRow back = serializer.deserialize(serializer.getVersion(), serializer.serialize(row));
        assertThat(back).usingRecursiveComparison().isEqualTo(row);
    }

    @Test
    void aFormatThisBuildDoesNotReadIsRefusedByName() {
        var serializer = new FormatStateSerializer<>(UsageHourlyRowFormat.INSTANCE);
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[0])).isInstanceOf(IOException.class)
                .hasMessageContaining("UsageHourlyRow format 2");
    }
}
