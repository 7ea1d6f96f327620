package dev.billing.ledger;

import dev.billing.model.BillingAlert;
import dev.billing.model.Money;
import dev.billing.model.UtcMonths;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Which alerts an account is due: each spend threshold once per month when the month's spend
 * reaches it, and a low balance once per top-up when the balance falls below a fraction of it.
 * Marks what it returns as sent in the state, which is checkpointed with the output.
 */
final class SpendAlerts {
    private SpendAlerts() {}

    static List<BillingAlert> due(String accountId, AccountState s, BigDecimal lowBalanceFraction, long now) {
        List<BillingAlert> alerts = new ArrayList<>(0);
        int currentMonth = s.money().currentMonth();
        BigDecimal spend = s.money().month().chargedUsd;
        BigDecimal alreadyUpTo = s.sent().thresholdAlertedIn(currentMonth);
        for (BigDecimal threshold : s.terms().alertThresholdsUsd()) {
            if (threshold.compareTo(spend) <= 0 && (alreadyUpTo == null || threshold.compareTo(alreadyUpTo) > 0)) {
                String month = UtcMonths.format(currentMonth);
                alerts.add(alert(accountId + "/" + BillingAlert.SPEND_THRESHOLD + "/" + month + "/" + Money.format(threshold),
                        accountId, BillingAlert.SPEND_THRESHOLD, threshold, s, now));
                s.sent().thresholdAlerted(currentMonth, threshold);
            }
        }
        BigDecimal floor = s.money().lastTopUpUsd().multiply(lowBalanceFraction);
        if (!s.sent().lowBalanceAlerted() && s.balanceUsd().compareTo(floor) < 0) {
            alerts.add(alert(accountId + "/" + BillingAlert.LOW_BALANCE + "/" + s.money().topUps(), accountId,
                    BillingAlert.LOW_BALANCE, floor, s, now));
            s.sent().lowBalanceAlerted(true);
        }
        return alerts;
    }

    private static BillingAlert alert(String id, String accountId, String type, BigDecimal threshold, AccountState s,
            long now) {
        BillingAlert a = new BillingAlert();
        a.alertId = id;
        a.accountId = accountId;
        a.type = type;
        a.thresholdUsd = threshold;
        a.month = UtcMonths.format(s.money().currentMonth());
        a.monthSpendUsd = s.money().month().chargedUsd;
        a.balanceUsd = s.balanceUsd();
        a.occurredAtMs = now;
        return a;
    }
}
