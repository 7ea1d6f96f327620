package dev.billing.it;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one independent model of the billing rules every test compares the job with: effective-dated
 * list prices and overrides, the free credits, purchases and adjustments, request ids billed once,
 * monthly limits, spend and low-balance alerts, volume discounts and auto top-up. It is fed the
 * test's input in the order each account's ledger sees it (callers that cannot know that order
 * build input whose outcome does not depend on it) and computes from the pricing page's rules
 * alone: it shares no code with the job, and the discount is a closed formula, not the job's split
 * of a record into segments.
 */
public final class LedgerModel {
    public static final long HOUR = 3_600_000L;
    static final BigDecimal FREE = new BigDecimal("5.00");
    static final BigDecimal LOW_BALANCE_FRACTION = new BigDecimal("0.10");

    public record Tier(BigDecimal above, BigDecimal percent) {}

    /** One usage_hourly row: requests, tokens, cost as charged and at list price. Money compares by value. */
    public record Row(long requests, long prompt, long completion, BigDecimal cost, BigDecimal listCost) {
        Row plus(Row o) {
            return new Row(requests + o.requests, prompt + o.prompt, completion + o.completion, cost.add(o.cost),
                    listCost.add(o.listCost));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && r.requests == requests && r.prompt == prompt && r.completion == completion
                    && r.cost.compareTo(cost) == 0 && r.listCost.compareTo(listCost) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(requests, prompt, completion);
        }

        @Override
        public String toString() {
            return requests + " req, " + prompt + "+" + completion + " tok, $" + cost.toPlainString() + " (list $"
                    + listCost.toPlainString() + ")";
        }
    }

    /** One account_balance row: credits, lifetime spend, this month's spend, status. Money compares by value. */
    public record Balance(BigDecimal credits, BigDecimal spend, BigDecimal monthSpend, String status) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Balance b && b.credits.compareTo(credits) == 0 && b.spend.compareTo(spend) == 0
                    && b.monthSpend.compareTo(monthSpend) == 0 && b.status.equals(status);
        }

        @Override
        public int hashCode() {
            return Objects.hash(credits.stripTrailingZeros(), spend.stripTrailingZeros(), status);
        }

        @Override
        public String toString() {
            return "credits $" + credits.toPlainString() + ", spend $" + spend.toPlainString() + ", month $"
                    + monthSpend.toPlainString() + ", " + status;
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

    /** An auto top-up payment request: {@code <account>/AUTO_TOPUP/<n>}, the amount, the level and the balance that crossed it. */
    public record TopUpRequest(String requestId, String account, BigDecimal amount, BigDecimal below, BigDecimal balance) {
        @Override
        public String toString() {
            return requestId + " " + account + " buys " + plain(amount) + " below " + plain(below) + " at " + plain(balance);
        }
    }

    private static final class Account {
        BigDecimal credits = FREE;
        BigDecimal spend = BigDecimal.ZERO;
        final Map<Integer, BigDecimal> monthList = new HashMap<>();
        final Map<Integer, BigDecimal> monthCharged = new HashMap<>();
        final Set<String> requestIds = new HashSet<>();
        BigDecimal limit;
        List<BigDecimal> thresholds = List.of();
        BigDecimal alertedUpTo;
        List<Tier> tiers = List.of();
        BigDecimal lastTopUp = FREE;
        int topUps;
        boolean lowAlerted;
        BigDecimal autoTopUpBelow;
        BigDecimal autoTopUpAmount;
        boolean autoTopUpRequested;
        int autoTopUpRequests;
        final List<String> history = new ArrayList<>();
        List<String> reasons = List.of();

        BigDecimal balance() {
            return credits.subtract(spend);
        }
    }

    private final long nowMs;
    private final int currentMonth;
    // price lines by "account/model" (overrides) or "*" + "/model" (list prices): effective_from -> {input, output} $/1M
    private final Map<String, TreeMap<Long, String[]>> prices = new HashMap<>();
    private final Map<String, Account> accounts = new TreeMap<>();
    private final Map<String, Row> rows = new TreeMap<>();
    private final Set<String> alerts = new LinkedHashSet<>();
    private final Map<String, String> rejected = new TreeMap<>();
    private final List<TopUpRequest> topUpRequests = new ArrayList<>();
    /** Every input so far, to replay into a {@link #copy()}. */
    private final List<Consumer<LedgerModel>> inputs = new ArrayList<>();

    /** A model whose current month (for limits, alerts and month spend) is the UTC month of {@code nowMs}. */
    public LedgerModel(long nowMs) {
        this.nowMs = nowMs;
        this.currentMonth = month(nowMs);
        for (String[] p : new String[][] {
            {"qwen3.5-35b-a3b", "0.15", "0.15"}, {"llama-3.3-70b", "0.20", "0.20"},
            {"deepseek-v3", "0.25", "0.25"}, {"llama-3.1-8b", "0.05", "0.05"}}) {
            prices.computeIfAbsent("*/" + p[0], k -> new TreeMap<>()).put(Long.MIN_VALUE, new String[] {p[1], p[2]});
        }
    }

    /** What the model holds after the input so far: later input to this one does not change the copy. */
    public LedgerModel copy() {
        LedgerModel copy = new LedgerModel(nowMs);
        inputs.forEach(input -> input.accept(copy));
        return copy;
    }

    /** A list price for {@code model} from {@code fromMs} on (a new model, or a price change). */
    public void listPrice(String model, String in, String out, long fromMs) {
        inputs.add(m -> m.listPrice(model, in, out, fromMs));
        prices.computeIfAbsent("*/" + model, k -> new TreeMap<>()).put(fromMs, new String[] {in, out});
    }

    /** An enterprise override for {@code account} from {@code fromMs} on. */
    public void override(String account, String model, String in, String out, long fromMs) {
        inputs.add(m -> m.override(account, model, in, out, fromMs));
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

    /** ACCOUNT_OPENED: the account exists (with its free credits) and publishes its first status. */
    public void open(String account) {
        inputs.add(m -> m.open(account));
        settle(account, account(account));
    }

    public void limits(String account, String limit, String... thresholds) {
        inputs.add(m -> m.limits(account, limit, thresholds));
        Account a = account(account);
        a.limit = limit == null ? null : new BigDecimal(limit);
        a.thresholds = Arrays.stream(thresholds).map(BigDecimal::new).sorted().toList();
        settle(account, a);
    }

    public void discounts(String account, List<Tier> tiers) {
        inputs.add(m -> m.discounts(account, tiers));
        Account a = account(account);
        a.tiers = tiers;
        settle(account, a);
    }

    /** AUTO_TOPUP_SET: below {@code below}, request {@code amount}; both null switch it off. */
    public void autoTopUp(String account, String below, String amount) {
        inputs.add(m -> m.autoTopUp(account, below, amount));
        Account a = account(account);
        a.autoTopUpBelow = below == null ? null : new BigDecimal(below);
        a.autoTopUpAmount = below == null ? null : new BigDecimal(amount);
        settle(account, a);
    }

    public void purchase(String account, String amount) {
        inputs.add(m -> m.purchase(account, amount));
        Account a = account(account);
        a.credits = a.credits.add(new BigDecimal(amount));
        a.lastTopUp = new BigDecimal(amount);
        a.topUps++;
        a.lowAlerted = false;
        settle(account, a);
    }

    /** A signed correction of the credits (CREDITS_ADJUSTED): not a top-up, so the low-balance base stays. */
    public void adjust(String account, String amount) {
        inputs.add(m -> m.adjust(account, amount));
        Account a = account(account);
        a.credits = a.credits.add(new BigDecimal(amount));
        settle(account, a);
    }

    /**
     * A usage record: billed once per request id and account (a resend changes nothing); returns
     * null, or the dead-letter reason when the ledger must reject it (no price in force at
     * {@code completed_at}: rejected before the account is opened, and again when resent).
     */
    public String usage(String requestId, String account, String model, long prompt, long completion, long completedAtMs) {
        inputs.add(m -> m.usage(requestId, account, model, prompt, completion, completedAtMs));
        String[] p = price(account, model, completedAtMs);
        if (p == null) {
            rejected.put(requestId, "UNKNOWN_MODEL");
            return "UNKNOWN_MODEL";
        }
        Account a = account(account);
        if (a.requestIds.add(requestId)) {
            bill(account, a, p, model, prompt, completion, completedAtMs);
        }
        return null;
    }

    /** A distinct usage record whose request id does not matter to the test; its model must have a price. */
    public void usage(String account, String model, long prompt, long completion, long completedAtMs) {
        inputs.add(m -> m.usage(account, model, prompt, completion, completedAtMs));
        String[] p = price(account, model, completedAtMs);
        if (p == null) {
            throw new IllegalArgumentException("no price for " + model + " at " + Instant.ofEpochMilli(completedAtMs));
        }
        bill(account, account(account), p, model, prompt, completion, completedAtMs);
    }

    private void bill(String account, Account a, String[] p, String model, long prompt, long completion, long completedAtMs) {
        BigDecimal list = new BigDecimal(p[0]).multiply(BigDecimal.valueOf(prompt))
                .add(new BigDecimal(p[1]).multiply(BigDecimal.valueOf(completion))).movePointLeft(6);
        int m = month(completedAtMs);
        BigDecimal before = a.monthList.getOrDefault(m, BigDecimal.ZERO);
        BigDecimal charged = discounted(a.tiers, before.add(list)).subtract(discounted(a.tiers, before));
        a.monthList.put(m, before.add(list));
        a.monthCharged.merge(m, charged, BigDecimal::add);
        a.spend = a.spend.add(charged);
        long hour = Math.floorDiv(completedAtMs, HOUR) * HOUR;
        rows.merge(account + "|" + model + "|" + hour, new Row(1, prompt, completion, charged, list), Row::plus);
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

    /** After any input: alerts, the auto top-up, the status and its reasons. */
    private void settle(String id, Account a) {
        BigDecimal month = a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO);
        for (BigDecimal t : a.thresholds) {
            if (t.compareTo(month) <= 0 && (a.alertedUpTo == null || t.compareTo(a.alertedUpTo) > 0)) {
                alerts.add(id + "/SPEND_THRESHOLD/" + monthName(currentMonth) + "/" + t.setScale(Math.max(2, t.stripTrailingZeros().scale())).toPlainString());
                a.alertedUpTo = t;
            }
        }
        BigDecimal balance = a.balance();
        if (!a.lowAlerted && balance.compareTo(a.lastTopUp.multiply(LOW_BALANCE_FRACTION)) < 0) {
            alerts.add(id + "/LOW_BALANCE/" + a.topUps);
            a.lowAlerted = true;
        }
        autoTopUp(id, a, balance);
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

    /** Below the level, one request; none again until the balance is above the level (a purchase landed). */
    private void autoTopUp(String id, Account a, BigDecimal balance) {
        if (a.autoTopUpBelow == null) {
            return;
        }
        int vsLevel = balance.compareTo(a.autoTopUpBelow);
        if (vsLevel > 0) {
            a.autoTopUpRequested = false;
        } else if (vsLevel < 0 && !a.autoTopUpRequested) {
            a.autoTopUpRequested = true;
            topUpRequests.add(new TopUpRequest(id + "/AUTO_TOPUP/" + (++a.autoTopUpRequests), id, a.autoTopUpAmount,
                    a.autoTopUpBelow, balance));
        }
    }

    private Account account(String id) {
        return accounts.computeIfAbsent(id, k -> new Account());
    }

    /** usage_hourly as "account|model|hourStartMs" -> row. */
    public Map<String, Row> rows() {
        return rows;
    }

    public Set<String> alertIds() {
        return alerts;
    }

    /** The auto top-up payment requests, in the order they were made. */
    public List<TopUpRequest> topUpRequests() {
        return topUpRequests;
    }

    /** An account's balance now (credits minus spend). */
    public BigDecimal balance(String account) {
        return account(account).balance();
    }

    /** Per account, its status transitions with their reasons, as "ACTIVE " or "BLOCKED BALANCE_EXHAUSTED,MONTHLY_LIMIT". */
    public Map<String, List<String>> statusHistory() {
        Map<String, List<String>> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, a.history));
        return out;
    }

    /** Per account, its transitions between ACTIVE and BLOCKED, whatever the reasons. */
    public Map<String, List<String>> statusChanges() {
        Map<String, List<String>> out = new TreeMap<>();
        accounts.forEach((id, a) -> {
            List<String> changes = new ArrayList<>();
            for (String s : a.history) {
                String status = s.substring(0, s.indexOf(' '));
                if (changes.isEmpty() || !changes.get(changes.size() - 1).equals(status)) {
                    changes.add(status);
                }
            }
            out.put(id, changes);
        });
        return out;
    }

    /** Per account, the status after all input, with the balance and month spend a status message should carry. */
    public Map<String, FinalStatus> finalStatuses() {
        Map<String, FinalStatus> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, new FinalStatus(a.reasons.isEmpty() ? "ACTIVE" : "BLOCKED", a.reasons,
                a.balance(), a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO))));
        return out;
    }

    /** Usage the ledger must dead-letter, by request id, with the reason. */
    public Map<String, String> rejected() {
        return rejected;
    }

    /** account_balance per account. */
    public Map<String, Balance> balances() {
        Map<String, Balance> out = new TreeMap<>();
        accounts.forEach((id, a) -> out.put(id, new Balance(a.credits, a.spend,
                a.monthCharged.getOrDefault(currentMonth, BigDecimal.ZERO), a.reasons.isEmpty() ? "ACTIVE" : "BLOCKED")));
        return out;
    }

    static int month(long ms) {
        var d = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
        return d.getYear() * 12 + d.getMonthValue() - 1;
    }

    private static String monthName(int month) {
        return String.format("%04d-%02d", month / 12, month % 12 + 1);
    }

    private static String plain(BigDecimal amount) {
        return amount.stripTrailingZeros().toPlainString();
    }
}
