package dev.billing.gateway.client.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The door's rules on one replica, with the holds in memory and statuses set by the test. */
class AdmissionTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final Map<String, AccountStatus> statuses = new ConcurrentHashMap<>();
    private final Admission admission = new Admission(statuses::get, RateCards.listPrices(), new InMemoryReservations(),
            new BigDecimal("1.00"), "gw-1", Clock.fixed(NOW, ZoneOffset.UTC));

    /** deepseek-v3 at $0.25 per million: 1 prompt token and {@code bound} more. */
    private Admission.Ticket admit(String id, long bound) throws Exception {
        return admission.admit(id, "acct", "deepseek-v3", 1, bound);
    }

    private void publish(long version, String balance, UsagePosition position) {
        statuses.put("acct", new AccountStatus("acct", false, List.of(), new BigDecimal(balance), BigDecimal.ZERO,
                version, NOW, position));
    }

    @Test
    void theWorstCaseIsPromptAndBoundAtTheRateAndMustFitTheAvailableBalance() throws Exception {
        assertThat(admit("r1", 1_999_999).worstCaseUsd()).isEqualByComparingTo("0.50");
        assertThat(admit("r2", 1_999_999).worstCaseUsd()).isEqualByComparingTo("0.50");
        assertThatThrownBy(() -> admit("r3", 3)).isInstanceOfSatisfying(InsufficientBalance.class, e -> {
            assertThat(e.availableUsd()).isEqualByComparingTo("0");
            assertThat(e.worstCaseUsd()).isEqualByComparingTo("0.000001");
        });
    }

    @Test
    void aDeliveredRequestIsHeldAtItsCostUntilABalanceCoversItsPosition() throws Exception {
        admit("r1", 1_999_999); // $0.50 held
        admission.completed("r1", "acct");
        admission.delivered(List.of(new Reservations.Settlement("r1", "acct", new BigDecimal("0.30"), new UsagePosition(0, 7))));
        // held at its cost now: $0.70 free
        assertThatThrownBy(() -> admit("r2", 2_800_000)).isInstanceOf(InsufficientBalance.class);
        admission.release(admit("r2", 2_799_999)); // exactly $0.70
        // the job's balance includes it: nothing held any more, nothing counted twice
        publish(5, "0.70", new UsagePosition(0, 7));
        admission.release(admit("r3", 2_799_999));
        assertThatThrownBy(() -> admit("r4", 2_800_000)).isInstanceOf(InsufficientBalance.class);
    }

    @Test
    void aRefusalWhileWrittenUsageAwaitsItsAcknowledgementIsTriedAgainOnceItSettles() throws Exception {
        admit("r1", 1_999_999); // $0.50
        admission.completed("r1", "acct");
        // the job's balance already includes r1 (at offset 7) while its $0.50 worst case is still held
        publish(5, "0.50", new UsagePosition(0, 7));
        CompletableFuture<Void> ack = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(100); // the broker's acknowledgement, a moment later
                admission.delivered(List.of(new Reservations.Settlement("r1", "acct", new BigDecimal("0.50"),
                        new UsagePosition(0, 7))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(admit("r2", 1_999_999).worstCaseUsd()).as("the $0.50 left is covered").isEqualByComparingTo("0.50");
        ack.join();
    }
}
