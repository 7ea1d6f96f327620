package dev.billing.gateway.client.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's own rules, with no broker to deliver to (a closed port): what is written stays
 * until delivered, across a restart and a line cut short by a crash, and a full journal refuses.
 */
class UsageJournalTest {
    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path dir;

    private UsageJournal open(int maxUndelivered) throws Exception {
        Properties kafka = new Properties();
        kafka.put("max.block.ms", "100");
        return UsageJournal.open(dir, NO_BROKER, "usage-records", kafka, maxUndelivered, deliveries -> {});
    }

    private static UsageJournal.Entry entry(String id) {
        return new UsageJournal.Entry(id, "acct-1", new BigDecimal("0.000123"),
                ("{\"request_id\":\"" + id + "\",\"note\":\"a \\\"quoted\\\" value\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatWasWrittenAndNotDeliveredIsThereAfterARestartByteForByte() throws Exception {
        UsageJournal journal = open(10);
        journal.start();
        journal.append(entry("r1"));
        journal.append(entry("r2"));
        journal.close(Duration.ZERO);

        UsageJournal reopened = open(10);
        assertThat(reopened.undeliveredAtOpen()).containsOnlyKeys("r1", "r2");
        UsageJournal.Entry r1 = reopened.undeliveredAtOpen().get("r1");
        assertThat(r1.accountId()).isEqualTo("acct-1");
        assertThat(r1.costUsd()).isEqualByComparingTo("0.000123");
        assertThat(new String(r1.value(), StandardCharsets.UTF_8)).isEqualTo(new String(entry("r1").value(), StandardCharsets.UTF_8));
        assertThat(reopened.undelivered()).isEqualTo(2);
        reopened.close(Duration.ZERO);
    }

    @Test
    void aLineCutShortByACrashIsSkippedAndTheRestKept() throws Exception {
        UsageJournal journal = open(10);
        journal.append(entry("r1"));
        journal.close(Duration.ZERO);
        Path segment;
        try (Stream<Path> files = Files.list(dir)) {
            segment = files.filter(p -> p.toString().endsWith(".journal")).findFirst().orElseThrow();
        }
        Files.writeString(segment, "{\"request_id\":\"r2\",\"acc", StandardOpenOption.APPEND); // the crash

        UsageJournal reopened = open(10);
        assertThat(reopened.undeliveredAtOpen()).containsOnlyKeys("r1");
        reopened.close(Duration.ZERO);
    }

    @Test
    void aFullJournalRefusesBeforeServingInsteadOfWaitingForTheBroker() throws Exception {
        UsageJournal journal = open(2);
        journal.start();
        journal.append(entry("r1"));
        journal.append(entry("r2"));

        assertThat(journal.accepting()).isFalse();
        assertThatThrownBy(() -> journal.append(entry("r3"))).isInstanceOf(UsageNotDurable.class)
                .hasMessageContaining("2 usage records wait for the broker");
        journal.close(Duration.ZERO);
        UsageJournal reopened = open(2);
        assertThat(List.copyOf(reopened.undeliveredAtOpen().keySet())).as("in the order written").containsExactly("r1", "r2");
        reopened.close(Duration.ZERO);
    }
}
