package dev.billing.pricing;

import dev.billing.model.RateCard;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Effective-dated prices: for each (account override or list, model) the cards ordered by
 * {@code effective_from}. The price of a record is the card in force at its {@code completed_at}:
 * the account's override when one is in force, else the list price.
 */
public final class RateBook {
    private static final String LIST = "";

    private final Map<String, NavigableMap<Long, RateCard>> lines = new HashMap<>();

    public void add(RateCard card) {
        lines.computeIfAbsent(lineKey(card.accountId == null ? LIST : card.accountId, card.model),
                k -> new TreeMap<>()).put(card.effectiveFromMs, card);
    }

    /** The card in force for this account and model at {@code atMs}, or null when there is none. */
    public RateCard rateFor(String accountId, String model, long atMs) {
        RateCard override = inForce(lineKey(accountId, model), atMs);
        return override != null ? override : inForce(lineKey(LIST, model), atMs);
    }

    private RateCard inForce(String lineKey, long atMs) {
        NavigableMap<Long, RateCard> line = lines.get(lineKey);
        if (line == null) {
            return null;
        }
        Map.Entry<Long, RateCard> entry = line.floorEntry(atMs);
        return entry == null ? null : entry.getValue();
    }

    private static String lineKey(String scope, String model) {
        return scope + '\u0000' + model;
    }
}
