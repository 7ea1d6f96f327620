package dev.billing.gateway;

import java.util.Map;

/**
 * How much one account may ask of the gateway, whatever its balance: so that one account cannot
 * take the capacity every other one shares.
 *
 * @param maxConcurrentRequests chat completions in flight per account, a stream until its end
 * @param requestsPerMinute chat completions started per account per minute, in bursts of up to a minute's worth
 * @param concurrencyOverrides per-account {@code maxConcurrentRequests} (custom limits)
 * @param requestsPerMinuteOverrides per-account {@code requestsPerMinute} (custom limits)
 */
public record AccountLimits(int maxConcurrentRequests, int requestsPerMinute, Map<String, Integer> concurrencyOverrides,
        Map<String, Integer> requestsPerMinuteOverrides) {
    /** The CLI's defaults: far above what one interactive or batch client does, far below what takes a gateway. */
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 8;
    public static final int DEFAULT_REQUESTS_PER_MINUTE = 600;
    public static final AccountLimits DEFAULTS = new AccountLimits(DEFAULT_MAX_CONCURRENT_REQUESTS,
            DEFAULT_REQUESTS_PER_MINUTE, Map.of(), Map.of());
    /** No limit in practice: for embedded gateways and tests that do not exercise limits. */
    public static final AccountLimits NONE = new AccountLimits(1_000_000, 1_000_000_000, Map.of(), Map.of());

    public AccountLimits {
        concurrencyOverrides = Map.copyOf(concurrencyOverrides);
        requestsPerMinuteOverrides = Map.copyOf(requestsPerMinuteOverrides);
        if (maxConcurrentRequests < 1 || requestsPerMinute < 1
                || concurrencyOverrides.values().stream().anyMatch(v -> v < 1)
                || requestsPerMinuteOverrides.values().stream().anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("concurrency and rate limits must be positive");
        }
        if (requestsPerMinute > 1_000_000_000 || requestsPerMinuteOverrides.values().stream().anyMatch(v -> v > 1_000_000_000)) {
            throw new IllegalArgumentException("at most 1,000,000,000 requests per minute");
        }
    }

    int concurrencyOf(String account) {
        return concurrencyOverrides.getOrDefault(account, maxConcurrentRequests);
    }

    int requestsPerMinuteOf(String account) {
        return requestsPerMinuteOverrides.getOrDefault(account, requestsPerMinute);
    }

    @Override
    public String toString() {
        return maxConcurrentRequests + " concurrent requests and " + requestsPerMinute + " requests per minute per account"
                + (concurrencyOverrides.isEmpty() && requestsPerMinuteOverrides.isEmpty() ? ""
                        : " (custom: concurrency " + concurrencyOverrides + ", per minute " + requestsPerMinuteOverrides + ")");
    }
}
