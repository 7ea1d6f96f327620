package dev.billing.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.ledger.UsageHourlyRow;
import dev.billing.model.AccountBalanceRow;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The rows an upsert sink holds in its checkpoints come back exactly: every field, money to the last digit and scale. */
class RowStateFormatsTest {
    @Test
    void aBalanceRowRoundTripsEveryField() throws IOException {
        AccountBalanceRow row = RowSamples.balanceRow();
        var serializer = new FormatStateSerializer<>(AccountBalanceRowFormat.INSTANCE);
        AccountBalanceRow back = serializer.deserialize(serializer.getVersion(), serializer.serialize(row));
        assertThat(back).usingRecursiveComparison().isEqualTo(row);
        assertThat(back.balanceUsd.toString()).isEqualTo("-0.50");
    }

    @Test
    void aRollupRowRoundTripsEveryField() throws IOException {
        UsageHourlyRow row = RowSamples.hourlyRow();
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
