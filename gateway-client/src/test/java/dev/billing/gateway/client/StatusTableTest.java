package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    private final StatusTable table = new StatusTable();

    @Test
    void anUnknownAccountIsServed() {
        Decision d = table.check("new-account");

        assertThat(d).isSameAs(Decision.UNKNOWN_ACCOUNT);
        assertThat(d.allowed()).isTrue();
        assertThat(d.httpStatus()).isEqualTo(200);
    }

    @Test
    void aNewerVersionReplacesTheStatus() {
        assertThat(table.apply(active("a", 10))).isEqualTo(TopicFollower.Outcome.APPLIED);
        assertThat(table.apply(blocked("a", 11))).isEqualTo(TopicFollower.Outcome.APPLIED);

        Decision d = table.check("a");
        assertThat(d.allowed()).isFalse();
        assertThat(d.paymentRequired()).isTrue();
        assertThat(d.httpStatus()).isEqualTo(402);
        assertThat(d.reasons()).containsExactly(BlockReason.BALANCE_EXHAUSTED);
        assertThat(d.status().version()).isEqualTo(11);
    }

    @Test
    void anOlderOrRepeatedVersionIsStale() {
        table.apply(blocked("a", 20));

        assertThat(table.apply(active("a", 19))).isEqualTo(TopicFollower.Outcome.STALE);
        assertThat(table.apply(active("a", 20))).isEqualTo(TopicFollower.Outcome.STALE);
        assertThat(table.check("a").allowed()).isFalse();
        assertThat(table.status("a").version()).isEqualTo(20);

        assertThat(table.apply(active("a", 21))).isEqualTo(TopicFollower.Outcome.APPLIED);
        assertThat(table.check("a").allowed()).isTrue();
    }

    @Test
    void versionsCompareAsNumbersWhatEverTheArrivalOrder() {
        // the job's versions are microseconds of its clock: large, and a replay may deliver them backwards
        long[] arrival = {1772367011250003L, 1772367011250001L, 1772367011250007L, 1772367011250002L};
        for (long v : arrival) {
            table.apply(v % 2 == 1 ? blocked("a", v) : active("a", v));
        }
        assertThat(table.status("a").version()).isEqualTo(1772367011250007L);
        assertThat(table.check("a").allowed()).isFalse();
    }

    @Test
    void accountsAreIndependent() {
        table.apply(blocked("a", 100));
        table.apply(active("b", 1));

        assertThat(table.check("a").allowed()).isFalse();
        assertThat(table.check("b").allowed()).isTrue();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.blockedCount()).isEqualTo(1);
    }

    @Test
    void countsBlockedAccountsAsTheirStatusesChange() {
        table.apply(blocked("a", 1));
        table.apply(blocked("b", 1));
        table.apply(blocked("a", 2));
        table.apply(active("a", 1)); // stale
        assertThat(table.blockedCount()).isEqualTo(2);

        table.apply(active("a", 3));
        table.forget("b");
        table.forget("never-seen");
        assertThat(table.blockedCount()).isZero();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aTombstoneMakesTheAccountUnknown() {
        table.apply(blocked("a", 5));
        table.forget("a");

        assertThat(table.check("a")).isSameAs(Decision.UNKNOWN_ACCOUNT);
        assertThat(table.blockedCount()).isZero();
        assertThat(table.apply(active("a", 1))).isEqualTo(TopicFollower.Outcome.APPLIED);
    }

    @Test
    void theBlockedDecisionCarriesItsBodyReady() {
        table.apply(blocked("a", 5));

        byte[] body = table.check("a").errorBody();
        assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8)).contains("\"code\":\"balance_exhausted\"");
        body[0] = 'x';
        assertThat(table.check("a").errorBody()[0]).as("callers get a copy").isEqualTo((byte) '{');
        assertThat(table.check("b").errorBody()).isNull();
    }

    static AccountStatus active(String account, long version) {
        return new AccountStatus(account, false, List.of(), new BigDecimal("1.00"), new BigDecimal("4.00"), version,
                Instant.parse("2026-03-01T09:00:00Z"));
    }

    static AccountStatus blocked(String account, long version) {
        return new AccountStatus(account, true, List.of(BlockReason.BALANCE_EXHAUSTED), new BigDecimal("-0.01"),
                new BigDecimal("5.01"), version, Instant.parse("2026-03-01T09:00:00Z"));
    }
}
