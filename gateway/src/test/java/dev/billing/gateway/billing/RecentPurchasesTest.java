package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentPurchasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecentPurchases purchases = new RecentPurchases(3, Duration.ofDays(1));

    @Test
    void aRequestIsPendingUntilItsPaymentThenCredited() {
        purchases.onPaymentRequest(request("acct-1", "purchase-1", "PURCHASE", "10.00", Instant.now()));
        assertThat(purchases.of("acct-1")).singleElement().satisfies(p -> {
            assertThat(p.status()).isEqualTo("pending");
            assertThat(p.source()).isEqualTo("PURCHASE");
            assertThat(p.amountUsd()).isEqualByComparingTo("10.00");
        });
        purchases.onAccountEvent(payment("acct-1", "purchase-1", "10.00"));
        assertThat(purchases.find("acct-1", "purchase-1").status()).isEqualTo("credited");
        assertThat(purchases.of("acct-2")).isEmpty();
    }

    @Test
    void aPaymentSeenBeforeItsRequestIsCreditedAndTheRequestFillsIn() {
        purchases.onAccountEvent(payment("acct-1", "acct-1/AUTO_TOPUP/1", "5.00"));
        assertThat(purchases.find("acct-1", "acct-1/AUTO_TOPUP/1").status()).isEqualTo("credited");
        Instant at = Instant.now();
        purchases.onPaymentRequest(request("acct-1", "acct-1/AUTO_TOPUP/1", null, "5.00", at));
        RecentPurchases.Purchase p = purchases.find("acct-1", "acct-1/AUTO_TOPUP/1");
        assertThat(p.status()).isEqualTo("credited");
        assertThat(p.source()).as("absent: the job's auto top-up").isEqualTo("AUTO_TOPUP");
        assertThat(p.requestedAt()).isEqualTo(at);
    }

    @Test
    void otherEventsAreNotPayments() {
        ObjectNode manual = payment("acct-1", "x", "10.00").put("event_id", "evt-1");
        purchases.onAccountEvent(manual);
        purchases.onAccountEvent(payment("acct-1", "y", "10.00").put("type", "CREDITS_ADJUSTED"));
        assertThat(purchases.of("acct-1")).isEmpty();
    }

    @Test
    void boundedPerAccountAndByTheWindowNewestFirst() {
        Instant now = Instant.now();
        for (int i = 1; i <= 5; i++) {
            purchases.requested("acct-1", "purchase-" + i, new BigDecimal("5.00"), now.plusMillis(i));
        }
        assertThat(purchases.of("acct-1")).extracting(RecentPurchases.Purchase::requestId)
                .containsExactly("purchase-5", "purchase-4", "purchase-3");
        purchases.onPaymentRequest(request("acct-2", "old", "PURCHASE", "5.00", now.minus(Duration.ofDays(2))));
        assertThat(purchases.of("acct-2")).as("older than the window").isEmpty();
        assertThat(purchases.find("acct-2", "old")).isNull();
    }

    private static ObjectNode request(String account, String id, String source, String amount, Instant at) {
        ObjectNode r = JSON.createObjectNode().put("request_id", id).put("account_id", account)
                .put("amount_usd", amount).put("occurred_at", at.toString());
        if (source != null) {
            r.put("source", source);
        }
        return r;
    }

    private static ObjectNode payment(String account, String requestId, String amount) {
        return JSON.createObjectNode().put("event_id", "payment/" + requestId).put("account_id", account)
                .put("type", "CREDITS_PURCHASED").put("occurred_at", Instant.now().toString()).put("amount_usd", amount);
    }
}
