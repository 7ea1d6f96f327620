package dev.billing.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The README's first command, end to end: it must bill every served request once and say so. */
class DemoTest {
    @Test
    void demoBillsEveryServedRequestOnceAndReportsConsistentMoney() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        int exit = new Demo(line -> {
            lines.add(line);
            System.out.println(line);
        }, Duration.ofSeconds(12), 6, 150, 2, 42L, "billing_demo_test").run();

        assertThat(exit).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("t=") && l.contains("billed"));
        assertThat(lines).anyMatch(l -> l.startsWith("Billed in PostgreSQL") && l.endsWith("(every served request, once)"));
        assertThat(lines).anyMatch(l -> l.startsWith("Sum of usage_hourly.cost_usd") && l.endsWith("(equal)"));
        assertThat(lines).filteredOn(l -> l.matches("acct-\\d\\d .*")).hasSize(6);
        assertThat(lines).anyMatch(l -> l.startsWith("Auto top-up on for acct-04 (below $1.00, buys $5.00)"));
        assertThat(lines).anyMatch(l -> l.matches("Auto top-up: \\d+ payment requests answered, \\$\\d+\\.\\d\\d bought for acct-04"));
        assertThat(lines).anyMatch(l -> l.matches("API key of acct-01 .*: sk-live-key_[0-9a-f]{16}-[A-Za-z0-9_-]{43}"));
    }
}
