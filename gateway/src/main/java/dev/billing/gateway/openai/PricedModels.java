package dev.billing.gateway.openai;

import java.time.Instant;
import java.util.List;

/**
 * The models the billing job has a list price for: those of its default rate card
 * ({@code default-rate-card.json} in the job, the pricing page's prices). A usage record of any
 * other model is dead-lettered by the job (UNKNOWN_MODEL), so the gateway neither lists nor serves
 * one. ContractTest checks this list against the job's card.
 */
public final class PricedModels {
    public static final List<String> IDS = List.of("qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b");

    /** When the default card's prices took effect: the {@code created} time /v1/models reports. */
    public static final Instant PRICED_SINCE = Instant.parse("2000-01-01T00:00:00Z");

    private PricedModels() {}

    public static boolean priced(String model) {
        return IDS.contains(model);
    }
}
