package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaymentRequiredBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void balanceExhaustedAsksForCredits() throws Exception {
        JsonNode error = render(new PaymentRequiredBody(), status(BlockReason.BALANCE_EXHAUSTED)).get("error");

        assertThat(error.get("type").asText()).isEqualTo("payment_required");
        assertThat(error.get("code").asText()).isEqualTo("balance_exhausted");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText())
                .isEqualTo("Payment Required: your credit balance has reached zero. Add credits at https://app.dos.ai"
                        + " to resume immediately. No data is lost.");
        assertThat(error.get("reasons")).hasSize(1);
        assertThat(error.get("reasons").get(0).asText()).isEqualTo("BALANCE_EXHAUSTED");
        assertThat(error.get("account_id").asText()).isEqualTo("acct-7");
        assertThat(error.get("balance_usd").asText()).isEqualTo("-0.000042");
        assertThat(error.get("month_spend_usd").asText()).isEqualTo("5.000042");
    }

    @Test
    void monthlyLimitAsksToRaiseTheLimit() throws Exception {
        JsonNode error = render(new PaymentRequiredBody(), status(BlockReason.MONTHLY_LIMIT)).get("error");

        assertThat(error.get("code").asText()).isEqualTo("monthly_limit");
        assertThat(error.get("message").asText())
                .startsWith("Payment Required: your monthly spending limit has been reached.")
                .contains("Raise the monthly limit in the dashboard settings (https://app.dos.ai/settings)")
                .contains("next calendar month (UTC)")
                .doesNotContain("Add credits");
    }

    @Test
    void bothReasonsAskForBoth() throws Exception {
        JsonNode error = render(new PaymentRequiredBody("https://billing.example"),
                status(BlockReason.BALANCE_EXHAUSTED, BlockReason.MONTHLY_LIMIT)).get("error");

        assertThat(error.get("code").asText()).isEqualTo("balance_exhausted");
        assertThat(error.get("reasons")).hasSize(2);
        assertThat(error.get("message").asText())
                .contains("Add credits at https://billing.example")
                .contains("raise the monthly limit");
    }

    @Test
    void anUnrecognizedReasonStillExplainsWhatToDo() throws Exception {
        JsonNode error = render(new PaymentRequiredBody(), status(BlockReason.UNRECOGNIZED)).get("error");

        assertThat(error.get("code").asText()).isEqualTo("unrecognized");
        assertThat(error.get("message").asText()).contains("Add credits or raise the monthly limit");
    }

    @Test
    void escapesWhatItQuotes() throws Exception {
        AccountStatus odd = new AccountStatus("a\"b\\c", true, List.of(BlockReason.BALANCE_EXHAUSTED), null, null, 1,
                null);

        JsonNode error = render(new PaymentRequiredBody(), odd).get("error");

        assertThat(error.get("account_id").asText()).isEqualTo("a\"b\\c");
        assertThat(error.has("balance_usd")).isFalse();
    }

    @Test
    void anActiveAccountHasNoPaymentRequiredBody() {
        AccountStatus active = new AccountStatus("a", false, List.of(), BigDecimal.ONE, BigDecimal.ZERO, 1, null);

        assertThatThrownBy(() -> new PaymentRequiredBody().render(active)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theUnavailableBodyIsA503NotA402() throws Exception {
        Decision d = Decision.STATUS_UNAVAILABLE;

        assertThat(d.allowed()).isFalse();
        assertThat(d.paymentRequired()).isFalse();
        assertThat(d.httpStatus()).isEqualTo(503);
        assertThat(JSON.readTree(d.errorBody()).get("error").get("code").asText()).isEqualTo("billing_status_unavailable");
    }

    private static AccountStatus status(BlockReason... reasons) {
        return new AccountStatus("acct-7", true, List.of(reasons), new BigDecimal("-0.000042"),
                new BigDecimal("5.000042"), 1772367011250000L, Instant.parse("2026-03-01T12:10:11.250Z"));
    }

    private static JsonNode render(PaymentRequiredBody body, AccountStatus status) throws Exception {
        return JSON.readTree(body.render(status));
    }
}
