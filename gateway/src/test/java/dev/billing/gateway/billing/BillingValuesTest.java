package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Money in and out of the billing API, purchase ids, and the recent alerts kept. */
class BillingValuesTest {
    private static final JsonNodeFactory N = JsonNodeFactory.instance;

    @Test
    void amountsAreDecimalStringsTheJobAccepts() throws Exception {
        assertThat(Usd.parse(N.textNode("10.00"), "amount_usd")).isEqualByComparingTo("10");
        assertThat(Usd.parse(N.textNode("0.000001"), "amount_usd")).isEqualByComparingTo("0.000001");
        assertThat(Usd.parse(N.textNode("1000000000"), "amount_usd")).isEqualByComparingTo("1000000000");
        assertThatThrownBy(() -> Usd.parse(N.numberNode(new BigDecimal("10.00")), "amount_usd"))
                .hasMessageContaining("not a JSON number");
        assertThatThrownBy(() -> Usd.parse(N.textNode("-5.00"), "amount_usd")).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> Usd.parse(N.textNode("1.0000001"), "amount_usd")).hasMessageContaining("at most 6 decimals");
        assertThatThrownBy(() -> Usd.parse(N.textNode("1e3"), "amount_usd")).hasMessageContaining("decimal string");
        assertThatThrownBy(() -> Usd.parse(N.textNode("1000000000.01"), "amount_usd")).hasMessageContaining("at most");
        assertThatThrownBy(() -> Usd.parse(null, "amount_usd")).extracting("status").isEqualTo(400);
    }

    @Test
    void amountsGoOutPlainWithAtLeastTwoDecimals() {
        assertThat(Usd.format(new BigDecimal("5.000000000000000000"))).isEqualTo("5.00");
        assertThat(Usd.format(new BigDecimal("0.000048000000000000"))).isEqualTo("0.000048");
        assertThat(Usd.format(new BigDecimal("-0.1"))).isEqualTo("-0.10");
        assertThat(Usd.format(new BigDecimal("1E+3"))).isEqualTo("1000.00");
        assertThat(Usd.format(null)).isNull();
    }

    @Test
    void aPurchaseIdDependsOnTheAccountAndTheIdempotencyKeyOnly() {
        String id = PurchaseIds.requestId("acct-1", "key-1");
        assertThat(PurchaseIds.requestId("acct-1", "key-1")).isEqualTo(id);
        assertThat(PurchaseIds.requestId("acct-2", "key-1")).isNotEqualTo(id);
        assertThat(PurchaseIds.requestId("acct-1", "key-2")).isNotEqualTo(id);
        assertThat(PurchaseIds.requestId("ab", "c")).isNotEqualTo(PurchaseIds.requestId("a", "bc"));
        assertThat(id).matches("purchase-[0-9a-f]{32}");
    }
}
