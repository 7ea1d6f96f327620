package dev.billing.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-account limits on a clock the test moves. */
class AccountLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);

    @Test
    void aMinutesWorthInABurstThenOneEveryMinuteOverTheRate() {
        AccountLimiter limiter = new AccountLimiter(new AccountLimits(1000, 60, Map.of(), Map.of()), now::get);

        for (int i = 0; i < 60; i++) {
            AccountLimiter.Outcome o = limiter.acquire("acct-a");
            assertThat(o.granted()).as("request %d of the burst", i).isTrue();
            assertThat(o.headers()).containsEntry("x-ratelimit-limit-requests", "60")
                    .containsEntry("x-ratelimit-remaining-requests", Integer.toString(59 - i));
            o.release().run();
        }
        AccountLimiter.Outcome refused = limiter.acquire("acct-a");
        assertThat(refused.granted()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.headers()).containsEntry("x-ratelimit-remaining-requests", "0")
                .containsEntry("x-ratelimit-reset-requests", "1m0s");
        assertThat(refused.refusal()).contains("60");

        now.addAndGet(SECOND - 1);
        assertThat(limiter.acquire("acct-a").granted()).as("a nanosecond short of one request's refill").isFalse();
        now.addAndGet(1);
        AccountLimiter.Outcome refilled = limiter.acquire("acct-a");
        assertThat(refilled.granted()).isTrue();
        assertThat(refilled.headers()).containsEntry("x-ratelimit-remaining-requests", "0");

        // another account has its own bucket
        assertThat(limiter.acquire("acct-b").granted()).isTrue();

        now.addAndGet(3600 * SECOND);
        AccountLimiter.Outcome rested = limiter.acquire("acct-a");
        assertThat(rested.headers()).as("never more than a minute's worth")
                .containsEntry("x-ratelimit-remaining-requests", "59")
                .containsEntry("x-ratelimit-reset-requests", "1s");
    }

    @Test
    void atMostTheConcurrencyLimitInFlightAndEachReleaseFreesOneSlotOnce() {
        AccountLimiter limiter = new AccountLimiter(new AccountLimits(2, 1000, Map.of(), Map.of()), now::get);

        AccountLimiter.Outcome first = limiter.acquire("acct-c");
        AccountLimiter.Outcome second = limiter.acquire("acct-c");
        AccountLimiter.Outcome third = limiter.acquire("acct-c");

        assertThat(first.granted()).isTrue();
        assertThat(second.granted()).isTrue();
        assertThat(third.granted()).isFalse();
        assertThat(third.refusal()).contains("at most 2");
        assertThat(third.retryAfterSeconds()).isEqualTo(1);
        first.release().run();
        first.release().run(); // twice: still one slot
        assertThat(limiter.acquire("acct-c").granted()).isTrue();
        assertThat(limiter.acquire("acct-c").granted()).isFalse();
    }

    @Test
    void customLimitsOverTheDefaults() {
        AccountLimiter limiter = new AccountLimiter(new AccountLimits(1, 2, Map.of("acct-big", 3), Map.of("acct-big", 600)),
                now::get);

        assertThat(limiter.acquire("acct-big").headers()).containsEntry("x-ratelimit-limit-requests", "600");
        assertThat(limiter.acquire("acct-big").granted()).isTrue();
        assertThat(limiter.acquire("acct-big").granted()).isTrue();
        assertThat(limiter.acquire("acct-big").granted()).as("its fourth in flight").isFalse();
        AccountLimiter.Outcome small = limiter.acquire("acct-small");
        assertThat(small.headers()).containsEntry("x-ratelimit-limit-requests", "2");
        assertThat(limiter.acquire("acct-small").granted()).as("its second in flight").isFalse();
    }

    @Test
    void durationsAsOpenAiWritesThem() {
        assertThat(AccountLimiter.duration(1)).isEqualTo("1ms");
        assertThat(AccountLimiter.duration(120_000_000L)).isEqualTo("120ms");
        assertThat(AccountLimiter.duration(1_500_000_000L)).isEqualTo("1.5s");
        assertThat(AccountLimiter.duration(360 * SECOND)).isEqualTo("6m0s");
        assertThat(AccountLimiter.duration(61 * SECOND + 250_000_000L)).isEqualTo("1m1.25s");
    }

    @Test
    void tokensPerMinuteTakeEachRequestsWorstCaseAndRefuseOneThatNeverFits() {
        AccountLimiter limiter = new AccountLimiter(new AccountLimits(10, 1000, Map.of(), Map.of())
                .withTokensPerMinute(1000, Map.of("acct-big", 5000)), now::get);

        AccountLimiter.Outcome first = limiter.takeTokens("acct-t", 600);
        assertThat(first.granted()).isTrue();
        assertThat(first.headers()).containsEntry("x-ratelimit-limit-tokens", "1000")
                .containsEntry("x-ratelimit-remaining-tokens", "400")
                .containsEntry("x-ratelimit-reset-tokens", "36s");
        AccountLimiter.Outcome second = limiter.takeTokens("acct-t", 500);
        assertThat(second.granted()).isFalse();
        // 100 tokens short at 1000 a minute: 6 s
        assertThat(second.retryAfterSeconds()).isEqualTo(6);
        assertThat(second.refusal()).contains("tokens per minute");
        now.addAndGet(6 * SECOND);
        assertThat(limiter.takeTokens("acct-t", 500).granted()).isTrue();

        AccountLimiter.Outcome tooLarge = limiter.takeTokens("acct-t", 1001);
        assertThat(tooLarge.granted()).isFalse();
        assertThat(tooLarge.retryAfterSeconds()).isZero();
        assertThat(tooLarge.refusal()).contains("Request too large");
        assertThat(limiter.takeTokens("acct-big", 4000).granted()).as("a custom limit").isTrue();
        assertThat(new AccountLimiter(AccountLimits.DEFAULTS, now::get).takeTokens("acct-t", 1_000_000).granted())
                .as("no tokens per minute by default").isTrue();
    }
}
