package dev.billing.it;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Ground truth for the integration tests, computed straight from the generated input with the
 * pricing page's formula. It shares no code with the job.
 */
public final class Reference {
    static final BigDecimal FREE_CREDITS = new BigDecimal("5.00");
    static final long HOUR = 3_600_000L;

    /** One price line: list price when account is null. */
    record Price(String account, String model, long fromMs, String inPer1m, String outPer1m) {}

    record Usage(String requestId, String account, String model, long prompt, long completion, long completedAtMs) {}

    record Credit(String eventId, String account, BigDecimal amount) {}

    public record Totals(long requests, long prompt, long completion, BigDecimal cost) {
        Totals plus(long p, long c, BigDecimal x) {
            return new Totals(requests + 1, prompt + p, completion + c, cost.add(x));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Totals t && t.requests == requests && t.prompt == prompt && t.completion == completion
                    && t.cost.compareTo(cost) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(requests, prompt, completion, cost.stripTrailingZeros());
        }

        @Override
        public String toString() {
            return requests + " req, " + prompt + "+" + completion + " tok, $" + cost.toPlainString();
        }
    }

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

    private final List<Price> prices = new ArrayList<>();
    /** Everything billed or credited, in the order the ledger of each account sees it. */
    private final List<Object> ledger = new ArrayList<>();
    private final Set<String> opened = new HashSet<>();

    Reference() {
        for (String[] p : new String[][] {
            {"qwen3.5-35b-a3b", "0.15", "0.15"}, {"llama-3.3-70b", "0.20", "0.20"},
            {"deepseek-v3", "0.25", "0.25"}, {"llama-3.1-8b", "0.05", "0.05"}}) {
            prices.add(new Price(null, p[0], Long.MIN_VALUE, p[1], p[2]));
        }
    }

    /** A snapshot: what the ground truth is after the input given so far. */
    Reference copy() {
        Reference r = new Reference();
        r.prices.clear();
        r.prices.addAll(prices);
        r.ledger.addAll(ledger);
        r.opened.addAll(opened);
        return r;
    }

    void price(Price p) {
        prices.add(p);
    }

    void opened(String account) {
        opened.add(account);
    }

    void usage(Usage u) {
        ledger.add(u);
    }

    void credit(Credit c) {
        ledger.add(c);
    }

    /** Cost of a record: tokens x rate / 1,000,000, at the account's override else the list price. */
    BigDecimal cost(Usage u) {
        Price p = inForce(u.account, u.model, u.completedAtMs);
        if (p == null) {
            p = inForce(null, u.model, u.completedAtMs);
        }
        return new BigDecimal(p.inPer1m).multiply(BigDecimal.valueOf(u.prompt))
                .add(new BigDecimal(p.outPer1m).multiply(BigDecimal.valueOf(u.completion)))
                .divide(BigDecimal.valueOf(1_000_000));
    }

    private Price inForce(String account, String model, long at) {
        Price best = null;
        for (Price p : prices) {
            if (Objects.equals(p.account, account) && p.model.equals(model) && p.fromMs <= at
                    && (best == null || p.fromMs > best.fromMs)) {
                best = p;
            }
        }
        return best;
    }

    /** usage_hourly as "account|model|hourStartMs" -> totals, each request_id once. */
    public Map<String, Totals> usageHourly() {
        Map<String, Totals> out = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Object o : ledger) {
            if (o instanceof Usage u && seen.add(u.account + "/" + u.requestId)) {
                String key = u.account + "|" + u.model + "|" + Math.floorDiv(u.completedAtMs, HOUR) * HOUR;
                out.merge(key, new Totals(1, u.prompt, u.completion, cost(u)),
                        (a, b) -> a.plus(b.prompt, b.completion, b.cost));
            }
        }
        return out;
    }

    /** account_balance per account. */
    public Map<String, Balance> balances() {
        Map<String, Balance> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : statusHistory().entrySet()) {
            String account = e.getKey();
            BigDecimal credits = FREE_CREDITS;
            BigDecimal spend = BigDecimal.ZERO;
            Map<Integer, BigDecimal> byMonth = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (Object o : ledger) {
                if (o instanceof Usage u && u.account.equals(account) && seen.add(u.requestId)) {
                    spend = spend.add(cost(u));
                    byMonth.merge(month(u.completedAtMs), cost(u), BigDecimal::add);
                } else if (o instanceof Credit c && c.account.equals(account) && seen.add(c.eventId)) {
                    credits = credits.add(c.amount);
                }
            }
            // the current month is the job's wall-clock month; older months do not count
            BigDecimal monthSpend = byMonth.getOrDefault(month(System.currentTimeMillis()), BigDecimal.ZERO);
            List<String> history = e.getValue();
            out.put(account, new Balance(credits, spend, monthSpend, history.get(history.size() - 1)));
        }
        return out;
    }

    /**
     * The status sequence each account must publish: its first status, then every change, in
     * ledger order. The test feeds usage and credits in separate phases, so this order is the
     * order the job sees.
     */
    Map<String, List<String>> statusHistory() {
        Map<String, List<String>> out = new TreeMap<>();
        Map<String, BigDecimal> balance = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (String account : opened) {
            balance.put(account, FREE_CREDITS);
            out.put(account, new ArrayList<>(List.of("ACTIVE")));
        }
        for (Object o : ledger) {
            String account;
            BigDecimal delta;
            if (o instanceof Usage u) {
                if (!seen.add(u.account + "/r/" + u.requestId)) {
                    continue;
                }
                account = u.account;
                delta = cost(u).negate();
            } else {
                Credit c = (Credit) o;
                if (!seen.add(c.account + "/e/" + c.eventId)) {
                    continue;
                }
                account = c.account;
                delta = c.amount;
            }
            boolean first = !balance.containsKey(account);
            BigDecimal now = balance.getOrDefault(account, FREE_CREDITS).add(delta);
            balance.put(account, now);
            String status = now.signum() <= 0 ? "BLOCKED" : "ACTIVE";
            List<String> history = out.computeIfAbsent(account, k -> new ArrayList<>());
            if (first || !history.get(history.size() - 1).equals(status)) {
                history.add(status);
            }
        }
        return out;
    }

    private static int month(long ms) {
        var d = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
        return d.getYear() * 12 + d.getMonthValue();
    }
}
