package dev.billing.gateway.client.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.TopicFollower;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The gateway's copy of the billing job's prices: the pricing page's list prices the job starts
 * with, and every card of the {@code rate-cards} topic (a model's list price, or an account's
 * override, each from its {@code effective_from}), with the job's rule: the account's override in
 * force, else the list price in force. Safe for any thread.
 */
public final class RateCards implements TopicFollower.Handler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LIST = "";

    private final Map<String, NavigableMap<Long, ModelRate>> lines = new ConcurrentHashMap<>();

    /** The pricing page's list prices, as the billing job starts with them. */
    public static RateCards listPrices() {
        RateCards cards = new RateCards();
        try (InputStream in = RateCards.class.getResourceAsStream("list-prices.json")) {
            for (JsonNode card : JSON.readTree(in)) {
                cards.add(card);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cards;
    }

    /** A card: a model's list price when {@code accountId} is null, else the account's override. */
    public void add(String accountId, String model, Instant effectiveFrom, ModelRate rate) {
        lines.computeIfAbsent(lineKey(accountId == null ? LIST : accountId, model), k -> new ConcurrentSkipListMap<>())
                .put(effectiveFrom.toEpochMilli(), rate);
    }

    /** A message of the rate-cards topic; the topic's cards are never deleted, so a tombstone changes nothing. */
    @Override
    public TopicFollower.Outcome apply(byte[] key, byte[] value) {
        if (value == null) {
            return TopicFollower.Outcome.STALE;
        }
        try {
            add(JSON.readTree(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        return TopicFollower.Outcome.APPLIED;
    }

    private void add(JsonNode card) {
        if (card == null || !card.isObject()) {
            throw new IllegalArgumentException("a rate card is a JSON object");
        }
        String account = card.hasNonNull("account_id") ? card.get("account_id").asText() : null;
        add(account, text(card, "model"), instant(text(card, "effective_from")),
                new ModelRate(usd(text(card, "input_usd_per_1m")), usd(text(card, "output_usd_per_1m"))));
    }

    /** The rate in force for the account's request to the model at {@code at}, or null when the model has none. */
    public ModelRate rateAt(String accountId, String model, Instant at) {
        ModelRate override = inForce(lines.get(lineKey(accountId, model)), at.toEpochMilli());
        return override != null ? override : inForce(lines.get(lineKey(LIST, model)), at.toEpochMilli());
    }

    /**
     * The highest rate the account's request to the model can be billed at if it completes at
     * {@code from} or later: the rate in force then and every rate announced to take effect after
     * it. Null when the model has no price.
     */
    public ModelRate highestFrom(String accountId, String model, Instant from) {
        long fromMs = from.toEpochMilli();
        NavigableMap<Long, ModelRate> override = lines.get(lineKey(accountId, model));
        ModelRate worst = max(inForce(override, fromMs), later(override, fromMs));
        if (inForce(override, fromMs) == null) {
            // until an override takes effect the list price applies
            NavigableMap<Long, ModelRate> list = lines.get(lineKey(LIST, model));
            worst = max(worst, max(inForce(list, fromMs), later(list, fromMs)));
        }
        return worst;
    }

    private static ModelRate inForce(NavigableMap<Long, ModelRate> line, long atMs) {
        Map.Entry<Long, ModelRate> e = line == null ? null : line.floorEntry(atMs);
        return e == null ? null : e.getValue();
    }

    private static ModelRate later(NavigableMap<Long, ModelRate> line, long afterMs) {
        ModelRate worst = null;
        if (line != null) {
            for (ModelRate r : line.tailMap(afterMs, false).values()) {
                worst = max(worst, r);
            }
        }
        return worst;
    }

    private static ModelRate max(ModelRate a, ModelRate b) {
        return a == null ? b : a.max(b);
    }

    private static String lineKey(String scope, String model) {
        return scope + '\u0000' + model;
    }

    private static String text(JsonNode card, String field) {
        JsonNode n = card.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("a rate card's " + field + " must be a string");
        }
        return n.asText();
    }

    private static BigDecimal usd(String s) {
        try {
            BigDecimal usd = new BigDecimal(s);
            if (usd.signum() < 0) {
                throw new IllegalArgumentException("a rate must not be negative: " + s);
            }
            return usd;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a rate must be a decimal string, not " + s);
        }
    }

    private static Instant instant(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("effective_from must be an ISO-8601 instant, not " + s);
        }
    }
}
