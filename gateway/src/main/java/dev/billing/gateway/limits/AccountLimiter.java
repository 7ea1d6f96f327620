package dev.billing.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Each account's {@link AccountLimits}: a token bucket of requests per minute and a count of the
 * requests in flight. Answers carry OpenAI's {@code x-ratelimit-*-requests} headers; a refusal
 * says when to retry. Accounts idle for {@link #FORGET_AFTER} are forgotten (a full bucket and
 * nothing in flight is what a new one starts with).
 */
public final class AccountLimiter {
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    /** What a request of an account gets: a slot to release when it ends, or a refusal. */
    public record Outcome(boolean granted, String refusal, long retryAfterSeconds, Map<String, String> headers, Runnable release) {}

    private record Account(TokenBucket bucket, TokenBucket tokens, AtomicInteger inFlight) {}

    private final AccountLimits limits;
    private final LongSupplier nanoClock;
    private final Cache<String, Account> accounts = Caffeine.newBuilder().expireAfterAccess(FORGET_AFTER).build();

    AccountLimiter(AccountLimits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    public AccountLimiter(AccountLimits limits) {
        this(limits, System::nanoTime);
    }

    public Outcome acquire(String accountId) {
        Account account = account(accountId);
        int concurrency = limits.concurrencyOf(accountId);
        if (account.inFlight().incrementAndGet() > concurrency) {
            account.inFlight().decrementAndGet();
            TokenBucket.Taken peek = new TokenBucket.Taken(false, 0, 0, 0);
            return new Outcome(false, "Too many concurrent requests for this account: at most " + concurrency
                    + " at a time, streams included. Retry when one of them has finished.", 1,
                    headers(account.bucket().perMinute(), peek, false), () -> { });
        }
        TokenBucket.Taken taken = account.bucket().take(nanoClock.getAsLong());
        if (!taken.granted()) {
            account.inFlight().decrementAndGet();
            long retry = Math.max(1, (taken.nanosUntilNext() + 999_999_999L) / 1_000_000_000L);
            return new Outcome(false, "Rate limit reached for requests per minute (RPM): limit "
                    + account.bucket().perMinute() + ". Please try again in " + duration(taken.nanosUntilNext()) + ".",
                    retry, headers(account.bucket().perMinute(), taken, true), () -> { });
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Outcome(true, null, 0, headers(account.bucket().perMinute(), taken, true), () -> {
            if (released.compareAndSet(false, true)) {
                account.inFlight().decrementAndGet();
            }
        });
    }

    /**
     * Takes a request's worst-case tokens from its account's tokens per minute, when it has such a
     * limit. Nothing to release: what a request took is spent, used or not.
     */
    public Outcome takeTokens(String accountId, long tokens) {
        TokenBucket bucket = account(accountId).tokens();
        if (bucket == null) {
            return new Outcome(true, null, 0, Map.of(), () -> { });
        }
        TokenBucket.Taken taken = bucket.take(nanoClock.getAsLong(), tokens);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-ratelimit-limit-tokens", Long.toString(bucket.perMinute()));
        h.put("x-ratelimit-remaining-tokens", Long.toString(taken.remaining()));
        h.put("x-ratelimit-reset-tokens", duration(taken.nanosUntilFull()));
        if (taken.granted()) {
            return new Outcome(true, null, 0, h, () -> { });
        }
        if (tokens > bucket.perMinute()) {
            return new Outcome(false, "Request too large: its worst case of " + tokens + " tokens (prompt plus max_tokens)"
                    + " is over this account's limit of " + bucket.perMinute() + " tokens per minute. Lower max_tokens.",
                    0, h, () -> { }); // no retry will do
        }
        long retry = Math.max(1, (taken.nanosUntilNext() + 999_999_999L) / 1_000_000_000L);
        return new Outcome(false, "Rate limit reached for tokens per minute (TPM): limit " + bucket.perMinute()
                + ", requested " + tokens + " (prompt plus max_tokens). Please try again in "
                + duration(taken.nanosUntilNext()) + ".", retry, h, () -> { });
    }

    private Account account(String accountId) {
        return accounts.get(accountId, id -> {
            long now = nanoClock.getAsLong();
            int tokensPerMinute = limits.tokensPerMinuteOf(id);
            return new Account(new TokenBucket(limits.requestsPerMinuteOf(id), now),
                    tokensPerMinute == 0 ? null : new TokenBucket(tokensPerMinute, now), new AtomicInteger());
        });
    }

    private static Map<String, String> headers(long perMinute, TokenBucket.Taken taken, boolean known) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-ratelimit-limit-requests", Long.toString(perMinute));
        if (known) {
            h.put("x-ratelimit-remaining-requests", Long.toString(taken.remaining()));
            h.put("x-ratelimit-reset-requests", duration(taken.nanosUntilFull()));
        }
        return h;
    }

    /** As OpenAI writes it: {@code 120ms}, {@code 1.5s}, {@code 6m0s}. */
    static String duration(long nanos) {
        long ms = (nanos + 999_999) / 1_000_000;
        if (ms < 1000) {
            return ms + "ms";
        }
        long minutes = ms / 60_000;
        long restMs = ms % 60_000;
        String seconds = restMs % 1000 == 0 ? Long.toString(restMs / 1000)
                : java.math.BigDecimal.valueOf(restMs, 3).stripTrailingZeros().toPlainString();
        return (minutes > 0 ? minutes + "m" : "") + seconds + "s";
    }
}
