package dev.billing.gateway.limits;

import java.util.Map;

/**
 * How much one account may ask of the gateway, whatever its balance: so that one account cannot
 * take the capacity every other one shares.
 *
 * @param maxConcurrentRequests chat completions in flight per account, a stream until its end
 * @param requestsPerMinute chat completions started per account per minute, in bursts of up to a minute's worth
 * @param concurrencyOverrides per-account {@code maxConcurrentRequests} (custom limits)
 * @param requestsPerMinuteOverrides per-account {@code requestsPerMinute} (custom limits)
 * @param tokensPerMinute worst-case tokens (prompt plus {@code max_tokens}, else the context window's
 *     remainder) admitted per account per minute; 0 for no such limit
 * @param tokensPerMinuteOverrides per-account {@code tokensPerMinute} (custom limits)
 */
public record AccountLimits(int maxConcurrentRequests, int requestsPerMinute, Map<String, Integer> concurrencyOverrides,
        Map<String, Integer> requestsPerMinuteOverrides, int tokensPerMinute, Map<String, Integer> tokensPerMinuteOverrides) {
    /** The CLI's defaults: far above what one interactive or batch client does, far below what takes a gateway. */
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 8;
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 600;
    public static final AccountLimits DEFAULTS = new AccountLimits(DEFAULT_MAX_CONCURRENT_REQUESTS,
            DEFAULT_REQUESTS_PER_MINUTE, Map.of(), Map.of());
    /** No limit in practice: for embedded gateways and tests that do not exercise limits. */
    public static final AccountLimits NONE = new AccountLimits(1_000_000, TokenBucket.MAX_PER_MINUTE, Map.of(), Map.of());

    public AccountLimits {
        concurrencyOverrides = Map.copyOf(concurrencyOverrides);
        requestsPerMinuteOverrides = Map.copyOf(requestsPerMinuteOverrides);
        tokensPerMinuteOverrides = Map.copyOf(tokensPerMinuteOverrides);
        if (maxConcurrentRequests < 1 || requestsPerMinute < 1 || tokensPerMinute < 0
                || concurrencyOverrides.values().stream().anyMatch(v -> v < 1)
                || requestsPerMinuteOverrides.values().stream().anyMatch(v -> v < 1)
                || tokensPerMinuteOverrides.values().stream().anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("concurrency and rate limits must be positive");
        }
        int max = TokenBucket.MAX_PER_MINUTE;
        if (requestsPerMinute > max || tokensPerMinute > max
                || requestsPerMinuteOverrides.values().stream().anyMatch(v -> v > max)
                || tokensPerMinuteOverrides.values().stream().anyMatch(v -> v > max)) {
            throw new IllegalArgumentException("at most " + max + " requests or tokens per minute");
        }
    }

    /** Without a limit on tokens. */
    public AccountLimits(int maxConcurrentRequests, int requestsPerMinute, Map<String, Integer> concurrencyOverrides,
            Map<String, Integer> requestsPerMinuteOverrides) {
        this(maxConcurrentRequests, requestsPerMinute, concurrencyOverrides, requestsPerMinuteOverrides, 0, Map.of());
    }

    /** The same, with {@code tokensPerMinute} (0 for none) and its custom limits. */
    public AccountLimits withTokensPerMinute(int tokensPerMinute, Map<String, Integer> overrides) {
        return new AccountLimits(maxConcurrentRequests, requestsPerMinute, concurrencyOverrides,
                requestsPerMinuteOverrides, tokensPerMinute, overrides);
    }

    int concurrencyOf(String account) {
        return concurrencyOverrides.getOrDefault(account, maxConcurrentRequests);
    }

    int requestsPerMinuteOf(String account) {
        return requestsPerMinuteOverrides.getOrDefault(account, requestsPerMinute);
    }

    /** 0 for no limit. */
    int tokensPerMinuteOf(String account) {
        return tokensPerMinuteOverrides.getOrDefault(account, tokensPerMinute);
    }

    @Override
    public String toString() {
        return maxConcurrentRequests + " concurrent requests, " + requestsPerMinute + " requests and "
                + (tokensPerMinute == 0 ? "any number of" : Integer.toString(tokensPerMinute)) + " tokens per minute per account"
                + (concurrencyOverrides.isEmpty() && requestsPerMinuteOverrides.isEmpty() && tokensPerMinuteOverrides.isEmpty()
                        ? "" : " (custom: concurrency " + concurrencyOverrides + ", requests per minute "
                                + requestsPerMinuteOverrides + ", tokens per minute " + tokensPerMinuteOverrides + ")");
    }
}
