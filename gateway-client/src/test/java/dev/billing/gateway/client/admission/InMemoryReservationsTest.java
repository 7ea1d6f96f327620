package dev.billing.gateway.client.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryReservationsTest {
    private final InMemoryReservations reservations = new InMemoryReservations();

    private static PublishedBalance balance(long version, String usd, UsagePosition position) {
        return new PublishedBalance(version, new BigDecimal(usd), position);
    }

    private Reservations.Outcome reserve(String id, String account, String usd, PublishedBalance published) {
        return reservations.reserve(id, account, "g1", new BigDecimal(usd), published);
    }

    @Test
    void anAccountsHoldsCountAgainstItsOwnBalanceOnly() {
        PublishedBalance ten = balance(1, "10.00", null);
        assertThat(reserve("a1", "alice", "6.00", ten).held()).isTrue();
        assertThat(reserve("b1", "bob", "6.00", ten).held()).isTrue();
        Reservations.Outcome refused = reserve("a2", "alice", "6.00", ten);
        assertThat(refused.held()).isFalse();
        assertThat(refused.availableUsd()).isEqualByComparingTo("4.00");
        assertThat(reserve("b2", "bob", "4.00", ten).held()).isTrue();
    }

    @Test
    void aReleasedHoldFreesItsAmountAndASettledOneIsKeptAtItsCostUntilABalanceCoversIt() {
        PublishedBalance ten = balance(1, "10.00", new UsagePosition(0, 5));
        assertThat(reserve("a1", "alice", "8.00", ten).held()).isTrue();
        reservations.release("a1");
        assertThat(reserve("a2", "alice", "8.00", ten).held()).isTrue();
        reservations.settle("g1", List.of(new Reservations.Settlement("a2", "alice", new BigDecimal("3.00"),
                new UsagePosition(0, 9))));
        assertThat(reserve("a3", "alice", "8.00", ten).availableUsd()).isEqualByComparingTo("7.00");
        // the job's balance now includes the settled request: its hold goes
        assertThat(reserve("a4", "alice", "0.00", balance(2, "7.00", new UsagePosition(0, 10))).availableUsd())
                .isEqualByComparingTo("7.00");
    }

    @Test
    void reclaimDropsEveryAccountsUnsettledHoldsAndHoldsWhatWasWrittenButNotDelivered() {
        PublishedBalance ten = balance(1, "10.00", new UsagePosition(0, 5));
        reserve("a1", "alice", "5.00", ten);
        reserve("b1", "bob", "5.00", ten);
        reservations.settle("g1", List.of(new Reservations.Settlement("b2", "bob", new BigDecimal("1.00"),
                new UsagePosition(0, 9))));
        reservations.reclaim("g1", List.of(new Reservations.Undelivered("a9", "alice", new BigDecimal("2.00"))));
        assertThat(reserve("a2", "alice", "0.00", ten).availableUsd()).isEqualByComparingTo("8.00");
        assertThat(reserve("b3", "bob", "0.00", ten).availableUsd()).isEqualByComparingTo("9.00");
    }
}
