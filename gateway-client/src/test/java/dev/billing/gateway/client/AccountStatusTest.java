package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountStatusTest {

    @Test
    void readsTheContractsExample() throws IOException {
        byte[] example = Files.readAllBytes(Path.of("../schemas/examples/account-status.json"));

        AccountStatus s = AccountStatus.fromJson(example);

        assertThat(s.accountId()).isEqualTo("acct-42");
        assertThat(s.blocked()).isTrue();
        assertThat(s.reasons()).containsExactly(BlockReason.BALANCE_EXHAUSTED);
        assertThat(s.balanceUsd()).isEqualTo(new BigDecimal("-0.000042"));
        assertThat(s.monthSpendUsd()).isEqualTo(new BigDecimal("30.000042"));
        assertThat(s.version()).isEqualTo(1772367011250000L);
        assertThat(s.asOf()).isEqualTo(Instant.parse("2026-03-01T12:10:11.250Z"));
    }

    @Test
    void activeHasNoReasonsAndUnknownFieldsAreIgnored() {
        AccountStatus s = parse("{\"account_id\":\"a\",\"status\":\"ACTIVE\",\"reason\":null,\"reasons\":[],"
                + "\"balance_usd\":\"5.00\",\"month_spend_usd\":\"0.00\",\"version\":7,\"as_of\":\"2026-03-01T09:00:00Z\","
                + "\"added_later\":{\"x\":1}}");

        assertThat(s.blocked()).isFalse();
        assertThat(s.reasons()).isEmpty();
        assertThat(s.version()).isEqualTo(7);
    }

    @Test
    void everyReasonIsKeptInOrderAndNewReasonsStillBlock() {
        assertThat(parse(blocked("[\"BALANCE_EXHAUSTED\",\"MONTHLY_LIMIT\"]")).reasons())
                .containsExactly(BlockReason.BALANCE_EXHAUSTED, BlockReason.MONTHLY_LIMIT);
        AccountStatus future = parse(blocked("[\"FRAUD_REVIEW\"]"));
        assertThat(future.blocked()).isTrue();
        assertThat(future.reasons()).containsExactly(BlockReason.UNRECOGNIZED);
    }

    @Test
    void fallsBackToTheSingleReason() {
        AccountStatus s = parse("{\"account_id\":\"a\",\"status\":\"BLOCKED\",\"reason\":\"MONTHLY_LIMIT\",\"version\":3}");

        assertThat(s.reasons()).containsExactly(BlockReason.MONTHLY_LIMIT);
        assertThat(s.balanceUsd()).isNull();
        assertThat(s.asOf()).isNull();
    }

    @Test
    void aBlockedStatusAlwaysHasAReasonAndAnActiveOneNone() {
        assertThat(new AccountStatus("a", true, List.of(), null, null, 1, null).reasons())
                .containsExactly(BlockReason.UNRECOGNIZED);
        assertThat(new AccountStatus("a", false, List.of(BlockReason.MONTHLY_LIMIT), null, null, 1, null).reasons())
                .isEmpty();
        assertThat(parse("{\"account_id\":\"a\",\"status\":\"BLOCKED\",\"version\":3}").reasons())
                .containsExactly(BlockReason.UNRECOGNIZED);
    }

    @Test
    void rejectsWhatIsNotAStatus() {
        for (String bad : List.of("{\"account_id\":\"a\",\"status\":", "[1,2]", "{\"status\":\"ACTIVE\",\"version\":1}",
                "{\"account_id\":\"a\",\"status\":\"PAUSED\",\"version\":1}",
                "{\"account_id\":\"a\",\"status\":\"ACTIVE\"}",
                "{\"account_id\":\"a\",\"status\":\"ACTIVE\",\"version\":\"7\"}",
                "{\"account_id\":\"a\",\"status\":\"ACTIVE\",\"version\":1.5}",
                "{\"account_id\":\"a\",\"status\":\"ACTIVE\",\"version\":1,\"balance_usd\":\"lots\"}")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String blocked(String reasons) {
        return "{\"account_id\":\"a\",\"status\":\"BLOCKED\",\"reason\":\"X\",\"reasons\":" + reasons
                + ",\"balance_usd\":\"0.00\",\"month_spend_usd\":\"5.00\",\"version\":2,\"as_of\":\"2026-03-01T09:00:00Z\"}";
    }

    private static AccountStatus parse(String json) {
        return AccountStatus.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }
}
