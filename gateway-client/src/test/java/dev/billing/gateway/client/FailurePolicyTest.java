package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailurePolicyTest {
    private final Decision blocked = Decision.of(StatusTableTest.blocked("a", 2), new PaymentRequiredBody());
    private final Decision active = Decision.of(StatusTableTest.active("a", 1), new PaymentRequiredBody());

    @Test
    void aFreshCopyAnswersFromTheStatusWhateverThePolicy() {
        for (FailurePolicy policy : FailurePolicy.values()) {
            assertThat(policy.decide(active, false)).isSameAs(active);
            assertThat(policy.decide(blocked, false)).isSameAs(blocked);
            assertThat(policy.decide(Decision.UNKNOWN_ACCOUNT, false)).isSameAs(Decision.UNKNOWN_ACCOUNT);
        }
    }

    @Test
    void failOpenKeepsTheLastKnownStatusesWhenStale() {
        assertThat(FailurePolicy.FAIL_OPEN.decide(active, true)).isSameAs(active);
        assertThat(FailurePolicy.FAIL_OPEN.decide(blocked, true)).isSameAs(blocked);
        assertThat(FailurePolicy.FAIL_OPEN.decide(Decision.UNKNOWN_ACCOUNT, true).allowed()).isTrue();
    }

    @Test
    void failClosedRefusesEveryoneWhenStale() {
        assertThat(FailurePolicy.FAIL_CLOSED.decide(active, true)).isSameAs(Decision.STATUS_UNAVAILABLE);
        assertThat(FailurePolicy.FAIL_CLOSED.decide(blocked, true)).isSameAs(Decision.STATUS_UNAVAILABLE);
        assertThat(FailurePolicy.FAIL_CLOSED.decide(Decision.UNKNOWN_ACCOUNT, true)).isSameAs(Decision.STATUS_UNAVAILABLE);
    }
}
