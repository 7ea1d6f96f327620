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
 * An independent model of the billing rules with monthly limits, alerts and volume discounts,
 * fed the test's input in the order each account's ledger sees it. Shares no code with the job;
 * the discount is computed as a closed formula, not by splitting segments as the job does.
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
    }

    private final int currentMonth;
    private final Map<String, String[]> listPrices = new HashMap<>();
    private final Map<String, String[]> overrides = new HashMap<>();
    private final Map<String, Account> accounts = new TreeMap<>();
    private final Map<String, Row> rows = new TreeMap<>();
    private final Set<String> alerts = new LinkedHashSet<>();

    public LedgerModel(long nowMs) {
        this.currentMonth = month(nowMs);
        listPrices.put("qwen3.5-35b-a3b", new String[] {"0.15", "0.15"});
        listPrices.put("llama-3.3-70b", new String[] {"0.20", "0.20"});
        listPrices.put("deepseek-v3", new String[] {"0.25", "0.25"});
        listPrices.put("llama-3.1-8b", new String[] {"0.05", "0.05"});
    }

    public void override(String account, String model, String in, String out) {
        overrides.put(account + "/" + model, new String[] {in, out});
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

    public void usage(String account, String model, long prompt, long completion, long completedAtMs) {
        Account a = account(account);
        String[] p = overrides.getOrDefault(account + "/" + model, listPrices.get(model));
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
