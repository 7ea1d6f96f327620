package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.billing.ingest.AccountEventParser;
import dev.billing.ingest.Rejection;
import dev.billing.model.AccountEventType;
import dev.billing.model.Money;
import dev.billing.model.PaymentRequest;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auto top-up: one payment request per crossing below the level, re-armed above it, off, and the purchase that answers. */
class AutoTopUpTest {
    private static final long NOW = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final long T = NOW - 3_600_000;
    /** deepseek-v3 lists at $0.25 per million prompt tokens: 40,000 tokens per cent. */
    private static final long ONE_CENT = 40_000;

    private LedgerHarness h;
    private int request;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(NOW);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void aCrossingBelowTheLevelRequestsOneTopUpAndFurtherSpendNone() throws Exception {
        h.autoTopUp("a", "2.00", "10.00"); // free $5.00: above the level
        spendCents("a", 250); // 2.50
        assertThat(h.paymentRequests()).isEmpty();
        spendCents("a", 50); // 2.00: at the level, not below
        assertThat(h.paymentRequests()).isEmpty();
        spendCents("a", 1); // 1.99: below

        assertThat(h.paymentRequests()).singleElement().satisfies(r -> {
            assertThat(r.requestId).isEqualTo("a/AUTO_TOPUP/1");
            assertThat(r.accountId).isEqualTo("a");
            assertThat(r.amountUsd).isEqualByComparingTo("10.00");
            assertThat(r.belowUsd).isEqualByComparingTo("2.00");
            assertThat(r.balanceUsd).isEqualByComparingTo("1.99");
            assertThat(r.occurredAtMs).isEqualTo(NOW);
        });
        spendCents("a", 100);
        spendCents("a", 99); // 0.00: blocked, still one request for this crossing
        assertThat(h.paymentRequests()).hasSize(1);
    }

    @Test
    void thePurchaseLiftsTheBalanceAboveTheLevelAndReArms() throws Exception {
        h.autoTopUp("a", "2.00", "10.00");
        spendCents("a", 400); // 1.00
        PaymentRequest first = only(h.paymentRequests());
        h.purchaseFor(first); // 11.00
        h.purchaseFor(first); // the payments service answered twice: bought once
        h.flush();
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");

        spendCents("a", 850); // 2.50
        assertThat(h.paymentRequests()).hasSize(1);
        spendCents("a", 100); // 1.50: the next crossing
        assertThat(h.paymentRequests()).extracting(r -> r.requestId + " " + Money.format(r.balanceUsd))
                .containsExactly("a/AUTO_TOPUP/1 1.00", "a/AUTO_TOPUP/2 1.50");
    }

    @Test
    void aPurchaseThatLeavesTheBalanceAtOrBelowTheLevelDoesNotReArm() throws Exception {
        h.autoTopUp("a", "20.00", "10.00"); // below the level at once: $5.00 < $20.00
        PaymentRequest first = only(h.paymentRequests());
        assertThat(first.balanceUsd).isEqualByComparingTo("5.00");
        h.purchaseFor(first); // 15.00: still below 20.00
        spendCents("a", 100);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "5.00"); // 19.00
        assertThat(h.paymentRequests()).as("not re-armed below the level").hasSize(1);

        h.event("a", AccountEventType.CREDITS_PURCHASED, "5.00"); // 24.00: above, re-armed
        spendCents("a", 401); // 19.99
        assertThat(h.paymentRequests()).extracting(r -> r.requestId).containsExactly("a/AUTO_TOPUP/1", "a/AUTO_TOPUP/2");
    }

    @Test
    void switchedOffItRequestsNothingAndANewSettingDoesNotBuyTwiceForOneCrossing() throws Exception {
        h.autoTopUp("a", "2.00", "10.00");
        h.autoTopUp("a", null, null); // off
        spendCents("a", 400); // 1.00
        assertThat(h.paymentRequests()).isEmpty();

        h.autoTopUp("a", "2.00", "10.00"); // on again while below: that is a crossing
        assertThat(only(h.paymentRequests()).balanceUsd).isEqualByComparingTo("1.00");
        h.autoTopUp("a", "3.00", "25.00"); // changed while its request is outstanding
        spendCents("a", 10);
        assertThat(h.paymentRequests()).as("one request per crossing, whatever the settings").hasSize(1);

        h.event("a", AccountEventType.CREDITS_PURCHASED, "25.00"); // 25.90
        spendCents("a", 2300); // 2.90: below the new level
        assertThat(h.paymentRequests()).extracting(r -> r.requestId + " " + Money.format(r.amountUsd) + " "
                + Money.format(r.belowUsd)).containsExactly("a/AUTO_TOPUP/1 10.00 2.00", "a/AUTO_TOPUP/2 25.00 3.00");
    }

    @Test
    void anAmountBelowTheMinimumPurchaseIsRejectedWithAMessageSayingTheMinimum() {
        AccountEventParser parser = new AccountEventParser(new BigDecimal("5.00"));
        String json = "{\"event_id\":\"e1\",\"account_id\":\"a\",\"type\":\"AUTO_TOPUP_SET\","
                + "\"occurred_at\":\"2026-11-20T10:00:00Z\",\"below_usd\":\"2.00\",\"amount_usd\":\"4.99\"}";
        Rejection r = catchThrowableOfType(Rejection.class, () -> parser.parse(
                new SourceRecord("account-events", 0, 0, NOW, null, json.getBytes(StandardCharsets.UTF_8)), NOW));

        assertThat(r.reason()).isEqualTo(RejectReason.PURCHASE_BELOW_MINIMUM);
        assertThat(r.getMessage()).isEqualTo("AUTO_TOPUP_SET amount_usd 4.99 is below the minimum purchase of 5.00:"
                + " each top-up is a purchase; set amount_usd to at least 5.00");
    }

    @Test
    void anAccountBlockedAtZeroIsUnblockedByThePurchaseItRequested() throws Exception {
        h.autoTopUp("a", "1.00", "5.00");
        spendCents("a", 600); // -1.00: blocked, and below the level

        assertThat(h.statuses()).extracting(s -> s.status + " " + s.reasons).containsExactly("ACTIVE ", "BLOCKED BALANCE_EXHAUSTED");
        PaymentRequest r = only(h.paymentRequests());
        assertThat(r.balanceUsd).isEqualByComparingTo("-1.00");
        h.purchaseFor(r); // 4.00

        assertThat(h.statuses()).extracting(s -> s.status).containsExactly("ACTIVE", "BLOCKED", "ACTIVE");
        assertThat(h.statuses().get(2).balanceUsd).isEqualByComparingTo("4.00");
    }

    @Test
    void aRestoreNeitherRepeatsNorLosesARequestAndGivesTheSameIds() throws Exception {
        h.autoTopUp("a", "2.00", "10.00");
        OperatorSubtaskState beforeCrossing = h.snapshot();
        spendCents("a", 400);
        assertThat(only(h.paymentRequests()).requestId).isEqualTo("a/AUTO_TOPUP/1");
        OperatorSubtaskState afterCrossing = h.snapshot();

        h.restore(afterCrossing, 1_000);
        spendCents("a", 10);
        assertThat(h.paymentRequests()).as("the checkpoint holds the request as made").isEmpty();

        h.restore(beforeCrossing, 1_000); // the transaction with the request was aborted: the replay makes it again
        spendCents("a", 400);
        assertThat(only(h.paymentRequests()).requestId).isEqualTo("a/AUTO_TOPUP/1");
    }

    private static PaymentRequest only(List<PaymentRequest> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private void spendCents(String account, long cents) throws Exception {
        h.usage(account, "r" + (++request), "deepseek-v3", cents * ONE_CENT, 0, T);
    }
}
