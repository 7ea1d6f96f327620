package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RecentAlertsTest {
    private static final JsonNodeFactory N = JsonNodeFactory.instance;
    private static final Duration AGE = Duration.ofDays(30);

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-31T12:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void newestFirstOncePerIdAndAtMostPerAccount() {
        RecentAlerts alerts = new RecentAlerts(3, 10, AGE, clock);
        for (int i = 1; i <= 5; i++) {
            alerts.add(alert("a", "a/" + i), millis());
        }
        alerts.add(alert("a", "a/5"), millis()); // redelivered
        alerts.add(alert("b", "b/1"), millis());

        assertThat(alerts.of("a")).extracting(a -> a.get("alert_id").asText()).containsExactly("a/5", "a/4", "a/3");
        assertThat(alerts.of("b")).hasSize(1);
        assertThat(alerts.of("c")).isEmpty();
    }

    @Test
    void keepsTheAccountsAlertedOrAskedForMostRecently() {
        RecentAlerts alerts = new RecentAlerts(50, 3, AGE, clock);
        alerts.add(alert("a", "a/1"), millis());
        alerts.add(alert("b", "b/1"), millis());
        alerts.add(alert("c", "c/1"), millis());
        assertThat(alerts.of("a")).hasSize(1); // a is now the most recently used

        alerts.add(alert("d", "d/1"), millis());

        assertThat(alerts.accounts()).isEqualTo(3);
        assertThat(alerts.of("b")).as("the account unused longest is forgotten").isEmpty();
        assertThat(alerts.of("a")).hasSize(1);
        assertThat(alerts.of("c")).hasSize(1);
        assertThat(alerts.of("d")).hasSize(1);

        for (int i = 0; i < 1_000; i++) {
            alerts.add(alert("acct-" + i, "x/" + i), millis());
        }
        assertThat(alerts.accounts()).isEqualTo(3);
    }

    @Test
    void forgetsAlertsOlderThanTheAge() {
        RecentAlerts alerts = new RecentAlerts(50, 10, AGE, clock);
        long old = now.get().minus(AGE).minusSeconds(1).toEpochMilli();
        alerts.add(alert("a", "a/too-old"), old);
        assertThat(alerts.of("a")).as("older than the age when read").isEmpty();

        alerts.add(alert("a", "a/1"), millis());
        now.set(now.get().plus(Duration.ofDays(20)));
        alerts.add(alert("a", "a/2"), millis());
        assertThat(alerts.of("a")).extracting(a -> a.get("alert_id").asText()).containsExactly("a/2", "a/1");

        now.set(now.get().plus(Duration.ofDays(10)).plusSeconds(1));
        assertThat(alerts.of("a")).extracting(a -> a.get("alert_id").asText()).containsExactly("a/2");

        now.set(now.get().plus(AGE));
        assertThat(alerts.of("a")).isEmpty();
        assertThat(alerts.accounts()).as("an account left without alerts is dropped").isZero();
    }

    private long millis() {
        return now.get().toEpochMilli();
    }

    private static ObjectNode alert(String account, String id) {
        return N.objectNode().put("alert_id", id).put("account_id", account).put("type", "LOW_BALANCE")
                .put("occurred_at", "2026-03-01T00:00:00Z");
    }
}
