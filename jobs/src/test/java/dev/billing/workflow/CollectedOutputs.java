package dev.billing.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.KafkaTestClient;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.model.AccountStatus;
import dev.billing.model.DeadLetter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What {@link CollectingSinks} received, read as PostgreSQL's upserted tables and the topics'
 * readers would hold it, in the {@link LedgerModel}'s terms so that a test compares the two.
 */
public final class CollectedOutputs {
    private CollectedOutputs() {}

    /** Per key, the element with the highest version: what a reader of the upserted table sees. */
    public static <T> Map<String, T> newest(Iterable<T> rows, Function<T, String> key, Function<T, Long> version) {
        Map<String, T> out = new TreeMap<>();
        for (T row : rows) {
            out.merge(key.apply(row), row, (a, b) -> version.apply(b) >= version.apply(a) ? b : a);
        }
        return out;
    }

    /** usage_hourly as "account|model|hourStartMs" -> row. */
    public static Map<String, LedgerModel.Row> rows(CollectingSinks sinks) {
        Map<String, LedgerModel.Row> out = new TreeMap<>();
        newest(sinks.usageRows(), r -> r.accountId + "|" + r.totals.model + "|" + r.totals.hourStartMs, r -> r.version)
                .forEach((key, r) -> out.put(key, new LedgerModel.Row(r.totals.requests, r.totals.promptTokens, r.totals.completionTokens,
                        r.totals.costUsd, r.totals.listCostUsd)));
        return out;
    }

    /**
     * account_balance per account with the spend of the month of {@code nowMs}, as the view
     * account_balance_now shows it (zero when the row's month is an earlier one); checks that every
     * row's balance is credits minus spend.
     */
    public static Map<String, LedgerModel.Balance> balances(CollectingSinks sinks, long nowMs) {
        int month = monthOf(nowMs);
        Map<String, LedgerModel.Balance> out = new TreeMap<>();
        newest(sinks.balanceRows(), r -> r.accountId, r -> r.version).forEach((account, r) -> {
            assertThat(r.balanceUsd).as(account).isEqualByComparingTo(r.creditsUsd.subtract(r.spendUsd));
            out.put(account, new LedgerModel.Balance(r.creditsUsd, r.spendUsd,
                    monthOf(r.spendMonthStartMs) == month ? r.monthSpendUsd : BigDecimal.ZERO, r.status));
        });
        return out;
    }

    /** Per account, its status transitions in version order, described by {@code describe}. */
    public static Map<String, List<String>> statusHistory(CollectingSinks sinks, Function<AccountStatus, String> describe) {
        return PipelineFixture.transitions(sinks.statuses(), s -> s.accountId, s -> s.version, describe);
    }

    /** Per account, the status of the highest version: what a gateway holds. */
    public static Map<String, LedgerModel.FinalStatus> finalStatuses(CollectingSinks sinks) {
        Map<String, LedgerModel.FinalStatus> out = new TreeMap<>();
        newest(sinks.statuses(), s -> s.accountId, s -> s.version).forEach((account, s) -> out.put(account,
                new LedgerModel.FinalStatus(s.status, reasons(s), s.balanceUsd, s.monthSpendUsd)));
        return out;
    }

    public static List<String> reasons(AccountStatus s) {
        return s.reasons == null || s.reasons.isEmpty() ? List.of() : List.of(s.reasons.split(","));
    }

    /** Dead letters as where the rejected input was -> reason; a duplicate shows as "A+DUPLICATE+B". */
    public static Map<KafkaTestClient.Sent, String> deadLetters(CollectingSinks sinks) {
        Map<KafkaTestClient.Sent, String> out = new HashMap<>();
        for (DeadLetter d : sinks.deadLettersSent()) {
            out.merge(new KafkaTestClient.Sent(d.source.topic, d.source.partition, d.source.offset), d.reason.name(),
                    (a, b) -> a + "+DUPLICATE+" + b);
        }
        return out;
    }

    /** Every alert id published, sorted; one published twice shows twice. */
    public static List<String> alertIds(CollectingSinks sinks) {
        return sinks.alertsSent().stream().map(a -> a.alertId).sorted().toList();
    }

    private static int monthOf(long ms) {
        var d = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
        return d.getYear() * 12 + d.getMonthValue() - 1;
    }
}
