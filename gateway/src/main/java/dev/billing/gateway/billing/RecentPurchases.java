package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each account's recent payment requests and whether they were paid: a request on
 * {@code payment-requests} (a purchase from the billing API, or an auto top-up from the job) is
 * pending until the payments service's {@code CREDITS_PURCHASED} with {@code event_id}
 * {@code payment/<request_id>} is on {@code account-events}; then it is credited (the job adds it
 * to the balance within about a second). Fed by a {@link TopicTail} over both topics from
 * {@code window} back, so every gateway replica holds the same view, and bounded: at most
 * {@code perAccount} requests per account, none older than {@code window}. The two topics are
 * read independently, so a payment may be seen before its request: it is kept as credited.
 */
final class RecentPurchases {
    static final String PURCHASE = "PURCHASE";
    static final String AUTO_TOPUP = "AUTO_TOPUP";
    private static final String PAYMENT_EVENT_PREFIX = "payment/";
    private static final int SWEEP_EVERY = 1_000;

    /**
     * One payment request.
     *
     * @param source {@link #PURCHASE} or {@link #AUTO_TOPUP}; null when only its payment was seen
     * @param requestedAt null when only its payment was seen
     * @param creditedAt null while pending
     */
    record Purchase(String requestId, String source, BigDecimal amountUsd, Instant requestedAt, Instant creditedAt) {
        String status() {
            return creditedAt == null ? "pending" : "credited";
        }

        Instant seenAt() {
            return requestedAt != null ? requestedAt : creditedAt;
        }

        Purchase merge(Purchase other) {
            return new Purchase(requestId, source != null ? source : other.source,
                    amountUsd != null ? amountUsd : other.amountUsd,
                    requestedAt != null ? requestedAt : other.requestedAt,
                    creditedAt != null ? creditedAt : other.creditedAt);
        }
    }

    private final int perAccount;
    private final Duration window;
    private final ConcurrentHashMap<String, LinkedHashMap<String, Purchase>> byAccount = new ConcurrentHashMap<>();
    private final AtomicLong added = new AtomicLong();

    RecentPurchases(int perAccount, Duration window) {
        this.perAccount = perAccount;
        this.window = window;
    }

    Duration window() {
        return window;
    }

    /** A message of {@code payment-requests} (schemas/payment-request.schema.json); anything else is skipped. */
    void onPaymentRequest(ObjectNode request) {
        String account = request.path("account_id").asText(null);
        String requestId = request.path("request_id").asText(null);
        BigDecimal amount = decimal(request.path("amount_usd").asText(null));
        Instant at = instant(request.path("occurred_at").asText(null));
        if (account != null && requestId != null && amount != null && at != null) {
            String source = request.path("source").asText(AUTO_TOPUP);
            add(account, new Purchase(requestId, source, amount, at, null));
        }
    }

    /** A message of {@code account-events}: a payment's {@code CREDITS_PURCHASED} credits its request. */
    void onAccountEvent(ObjectNode event) {
        String eventId = event.path("event_id").asText("");
        String account = event.path("account_id").asText(null);
        if (!"CREDITS_PURCHASED".equals(event.path("type").asText()) || !eventId.startsWith(PAYMENT_EVENT_PREFIX)
                || account == null) {
            return;
        }
        Instant at = instant(event.path("occurred_at").asText(null));
        add(account, new Purchase(eventId.substring(PAYMENT_EVENT_PREFIX.length()), null,
                decimal(event.path("amount_usd").asText(null)), null, at != null ? at : Instant.now()));
    }

    /** Records a request the billing API has just sent, so its own answers show it before the topic does. */
    void requested(String account, String requestId, BigDecimal amountUsd, Instant at) {
        add(account, new Purchase(requestId, PURCHASE, amountUsd, at, null));
    }

    /** The account's request with this id, or null when it is not among the recent ones. */
    Purchase find(String account, String requestId) {
        List<Purchase> found = new ArrayList<>(1);
        byAccount.computeIfPresent(account, (a, kept) -> {
            Purchase p = kept.get(requestId);
            if (p != null && !expired(p, Instant.now())) {
                found.add(p);
            }
            return kept;
        });
        return found.isEmpty() ? null : found.get(0);
    }

    /** The account's recent requests, newest first. */
    List<Purchase> of(String account) {
        List<Purchase> out = new ArrayList<>();
        Instant now = Instant.now();
        byAccount.computeIfPresent(account, (a, kept) -> {
            kept.values().removeIf(p -> expired(p, now));
            out.addAll(kept.values());
            return kept.isEmpty() ? null : kept;
        });
        out.sort((x, y) -> y.seenAt().compareTo(x.seenAt()));
        return out;
    }

    private void add(String account, Purchase purchase) {
        Instant now = Instant.now();
        if (expired(purchase, now)) {
            return;
        }
        byAccount.compute(account, (a, kept) -> {
            LinkedHashMap<String, Purchase> map = kept == null ? new LinkedHashMap<>() : kept;
            map.merge(purchase.requestId(), purchase, Purchase::merge);
            Iterator<Purchase> oldest = map.values().iterator();
            while (map.size() > perAccount && oldest.hasNext()) {
                oldest.next();
                oldest.remove();
            }
            return map;
        });
        if (added.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
    }

    /** Drops what the window has left behind, accounts with nothing left too. */
    private void sweep(Instant now) {
        for (String account : byAccount.keySet()) {
            byAccount.computeIfPresent(account, (a, kept) -> {
                kept.values().removeIf(p -> expired(p, now));
                return kept.isEmpty() ? null : kept;
            });
        }
    }

    private boolean expired(Purchase p, Instant now) {
        return p.seenAt().isBefore(now.minus(window));
    }

    int accounts() {
        return byAccount.size();
    }

    private static BigDecimal decimal(String text) {
        try {
            return text == null ? null : new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
