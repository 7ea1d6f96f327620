package dev.billing.it;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An independent model of the billing rules with effective-dated prices and overrides, credits
 * and adjustments, monthly limits, alerts and volume discounts, fed the test's input in the order
 * each account's ledger sees it. Shares no code with the job; the discount is computed as a closed
 * formula, not by splitting segments as the job does.
 */
public final class LedgerModel {
    static final BigDecimal FREE = new BigDecimal("5.00");
    static final BigDecimal LOW_BALANCE_FRACTION = new BigDecimal("0.10");

    public record Tier(BigDecimal above, BigDecimal percent) {}

    public record Row(long requests, BigDecimal cost, BigDecimal listCost) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && r.requests == requests && r.cost.compareTo(cost) == 0
                    && r.listCost.compareTo(listCost) == 0;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(requests);
        }

        @Override
        public String toString() {
            return requests + " req, $" + cost.toPlainString() + " (list $" + listCost.toPlainString() + ")";
        }
    }

    /**
     * What a gateway holds for an account in the end: the status, its reasons, and the balance and
     * month spend the status message carries. Money compares by value, not by scale.
     */
    public record FinalStatus(String status, List<String> reasons, BigDecimal balance, BigDecimal monthSpend) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FinalStatus f && f.status.equals(status) && f.reasons.equals(reasons)
                    && f.balance.compareTo(balance) == 0 && f.monthSpend.compareTo(monthSpend) == 0;
        }

        @Override
        public int hashCode() {
            return status.hashCode() * 31 + reasons.hashCode();
        }

        @Override
        public String toString() {
            return status + " " + reasons + ", balance $" + balance.toPlainString() + ", month $"
                    + monthSpend.toPlainString();
        }
    }

    private static final class Account {
        BigDecimal credits = FREE;
        BigDecimal spend = BigDecimal.ZERO;
        final Map<Integer, BigDecimal> monthList = new HashMap<>();
        final Map<Integer, BigDecimal> monthCharged = new HashMap<>();
        BigDecimal limit;
        List<BigDecimal> thresholds = List.of();
        BigDecimal alertedUpTo;
        List<Tier> tiers = List.of();
        BigDecimal lastTopUp = FREE;
        int topUps;
        boolean lowAlerted;
        final List<String> history = new ArrayList<>();
        List<String> reasons = List.of();
    }

    private final int currentMonth;
    // price lines by "account/model" (overrides) or "*" + "/model" (list prices): effective_from -> {input, output} $/1M
    private final Map<String, TreeMap<Long, String[]>> prices = new HashMap<>();
    private final Map<String, Account> accounts = new TreeMap<>();
    private final Map<String, Row> rows = new TreeMap<>();
    private final Set<String> alerts = new LinkedHashSet<>();
    private final Map<String, String> rejected = new TreeMap<>();

    public LedgerModel(long nowMs) {
        this.currentMonth = month(nowMs);
        listPrice("qwen3.5-35b-a3b", "0.15", "0.15", Long.MIN_VALUE);
        listPrice("llama-3.3-70b", "0.20", "0.20", Long.MIN_VALUE);
        listPrice("deepseek-v3", "0.25", "0.25", Long.MIN_VALUE);
        listPrice("llama-3.1-8b", "0.05", "0.05", Long.MIN_VALUE);
    }

    /** A list price for {@code model} from {@code fromMs} on (a new model, or a price change). */
    public void listPrice(String model, String in, String out, long fromMs) {
        prices.computeIfAbsent("*/" + model, k -> new TreeMap<>()).put(fromMs, new String[] {in, out});
    }

    /** An enterprise override for {@code account} from {@code fromMs} on. */
    public void override(String account, String model, String in, String out, long fromMs) {
        prices.computeIfAbsent(account + "/" + model, k -> new TreeMap<>()).put(fromMs, new String[] {in, out});
    }

    public void override(String account, String model, String in, String out) {
        override(account, model, in, out, Long.MIN_VALUE);
    }

    /** The price in force at {@code atMs}: the account's override if one is, else the list price, else none. */
    private String[] price(String account, String model, long atMs) {
        String[] own = inForce(account + "/" + model, atMs);
        return own != null ? own : inForce("*/" + model, atMs);
    }

    private String[] inForce(String key, long atMs) {
        TreeMap<Long, String[]> byTime = prices.get(key);
        Map.Entry<Long, String[]> e = byTime == null ? null : byTime.floorEntry(atMs);
        return e == null ? null : e.getValue();
    }

    public void limits(String account, String limit, String... thresholds) {
        Account a = account(account);
        a.limit = limit == null ? null : new BigDecimal(limit);
        a.thresholds = java.util.Arrays.stream(thresholds).map(BigDecimal::new).sorted().toList();
        settle(account, a);
    }

    public void discounts(String account, List<Tier> tiers) {
        Account a = account(account);
        a.tiers = tiers;
        settle(account, a);
    }

    public void purchase(String account, String amount) {
        Account a = account(account);
        a.credits = a.credits.add(new BigDecimal(amount));
        a.lastTopUp = new BigDecimal(amount);
        a.topUps++;
        a.lowAlerted = false;
        settle(account, a);
    }

    /** A signed correction of the credits (CREDITS_ADJUSTED): not a top-up, so the low-balance base stays. */
    public void adjust(String account, String amount) {
        Account a = account(account);
        a.credits = a.credits.add(new BigDecimal(amount));
        settle(account, a);
    }

    /**
     * Bills a distinct usage record; returns null, or the dead-letter reason when the ledger must
     * reject it (no price in force at {@code completed_at}: rejected before the account is opened).
     */
    public String usage(String requestId, String account, String model, long prompt, long completion, long completedAtMs) {
        String[] p = price(account, model, completedAtMs);
        if (p == null) {
            rejected.put(requestId, "UNKNOWN_MODEL");
            return "UNKNOWN_MODEL";
        }
        usage(account, p, model, prompt, completion, completedAtMs);
        return null;
    }

    public void usage(String account, String model, long prompt, long completion, long completedAtMs) {
        String[] p = price(account, model, completedAtMs);
        if (p == null) {
            throw new IllegalArgumentException("no price for " + model + " at " + Instant.ofEpochMilli(completedAtMs));
        }
        usage(account, p, model, prompt, completion, completedAtMs);
    }

    private void usage(String account, String[] p, String model, long prompt, long completion, long completedAtMs) {
        Account a = account(account);
        BigDecimal list = new BigDecimal(p[0]).multiply(BigDecimal.valueOf(prompt))
                .add(new BigDecimal(p[1]).multiply(BigDecimal.valueOf(completion))).movePointLeft(6);
        int m = month(completedAtMs);
        BigDecimal before = a.monthList.getOrDefault(m, BigDecimal.ZERO);
        BigDecimal charged = discounted(a.tiers, before.add(list)).subtract(discounted(a.tiers, before));
        a.monthList.put(m, before.add(list));
        a.monthCharged.merge(m, charged, BigDecimal::add);
        a.spend = a.spend.add(charged);
        long hour = Math.floorDiv(completedAtMs, 3_600_000L) * 3_600_000L;
        rows.merge(account + "|" + model + "|" + hour, new Row(1, charged, list),
                (x, y) -> new Row(x.requests + y.requests, x.cost.add(y.cost), x.listCost.add(y.listCost)));
        settle(account, a);
    }

    /** What list spend {@code x} in a month costs after discounts: x minus each tier's extra percent above it. */
    private static BigDecimal discounted(List<Tier> tiers, BigDecimal x) {
        BigDecimal out = x;
        BigDecimal previousPercent = BigDecimal.ZERO;
        for (Tier t : tiers) {
            BigDecimal above = x.subtract(t.above).max(BigDecimal.ZERO);
            out = out.subtract(above.multiply(t.percent.subtract(previousPercent)).movePointLeft(2));
            previousPercent = t.percent;
        }
        return out;
    }

    private void settle(String id, Account a) {
        BigDecimal month = a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO);
        for (BigDecimal t : a.thresholds) {
            if (t.compareTo(month) <= 0 && (a.alertedUpTo == null || t.compareTo(a.alertedUpTo) > 0)) {
                alerts.add(id + "/SPEND_THRESHOLD/" + monthName(currentMonth) + "/" + t.setScale(Math.max(2, t.stripTrailingZeros().scale())).toPlainString());
                a.alertedUpTo = t;
            }
        }
        BigDecimal balance = a.credits.subtract(a.spend);
        if (!a.lowAlerted && balance.compareTo(a.lastTopUp.multiply(LOW_BALANCE_FRACTION)) < 0) {
            alerts.add(id + "/LOW_BALANCE/" + a.topUps);
            a.lowAlerted = true;
        }
        List<String> reasons = new ArrayList<>();
        if (balance.signum() <= 0) {
            reasons.add("BALANCE_EXHAUSTED");
        }
        if (a.limit != null && month.compareTo(a.limit) >= 0) {
            reasons.add("MONTHLY_LIMIT");
        }
        a.reasons = List.copyOf(reasons);
        String status = (reasons.isEmpty() ? "ACTIVE" : "BLOCKED") + " " + String.join(",", reasons);
        if (a.history.isEmpty() || !a.history.get(a.history.size() - 1).equals(status)) {
            a.history.add(status);
        }
    }

    private Account account(String id) {
        return accounts.computeIfAbsent(id, k -> new Account());
    }

    public Map<String, Row> rows() {
        return rows;
    }

    public Set<String> alertIds() {
        return alerts;
    }

    public Map<String, List<String>> statusHistory() {
        Map<String, List<String>> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, a.history));
        return out;
    }

    /** Per account, the status after all input, with the balance and month spend a status message should carry. */
    public Map<String, FinalStatus> finalStatuses() {
        Map<String, FinalStatus> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, new FinalStatus(a.reasons.isEmpty() ? "ACTIVE" : "BLOCKED", a.reasons,
                a.credits.subtract(a.spend), a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO))));
        return out;
    }

    /** Usage the ledger must dead-letter, by request id, with the reason. */
    public Map<String, String> rejected() {
        return rejected;
    }

    public Map<String, Reference.Balance> balances() {
        Map<String, Reference.Balance> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, new Reference.Balance(a.credits, a.spend,
                a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO),
                a.history.get(a.history.size() - 1).startsWith("ACTIVE") ? "ACTIVE" : "BLOCKED")));
        return out;
    }

    static int month(long ms) {
        var d = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
        return d.getYear() * 12 + d.getMonthValue() - 1;
    }

    private static String monthName(int month) {
        return String.format("%04d-%02d", month / 12, month % 12 + 1);
    }
}
