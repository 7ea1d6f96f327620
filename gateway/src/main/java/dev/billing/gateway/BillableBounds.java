package dev.billing.gateway;

/**
 * What the billing job accepts in a usage record, checked before a request is served: a request
 * the job would dead-letter must be refused (400), never served for free. The job's usage parser
 * ({@code dev.billing.ingest.UsageRecordParser}) takes at most {@link #MAX_TOKENS} in each of
 * {@code prompt_tokens}, {@code completion_tokens} and {@code total_tokens}, so the sum of prompt
 * and completion is the bound. ContractTest runs records at and beyond it through the job's parser.
 *
 * <p>No cost bound is needed here: the job bounds amounts it is given ($1,000,000,000) but not the
 * cost of a record, which at most 10^12 tokens at the largest rate keep within its columns.
 */
final class BillableBounds {
    /** The job's cap on any token count of a usage record (10^12). */
    static final long MAX_TOKENS = 1_000_000_000_000L;

    private BillableBounds() {}

    /** Refuses a completion the job could not bill: prompt plus completion above {@link #MAX_TOKENS}. */
    static void check(long promptTokens, long completionTokens, boolean limitedByRequest) throws ApiError {
        if (completionTokens > MAX_TOKENS - promptTokens) {
            long allowed = Math.max(0, MAX_TOKENS - promptTokens);
            throw ApiError.invalidRequest(limitedByRequest ? "max_tokens" : null, "This request asks for "
                    + completionTokens + " completion tokens after " + promptTokens + " prompt tokens, but a request"
                    + " can be billed for at most " + MAX_TOKENS + " tokens in all. Set max_tokens (or"
                    + " max_completion_tokens) to at most " + allowed + ".");
        }
    }
}
