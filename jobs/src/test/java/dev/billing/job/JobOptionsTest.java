package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JobOptionsTest {
    @TempDir
    Path dir;

    @Test
    void optionsComeFromAFileAndSecretsFromAnotherFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("pg-password"), "s3cret\n");
        Path options = Files.writeString(dir.resolve("job.options"), String.join("\n",
                "--bootstrap-servers=kafka-1:9093",
                "--kafka-property=security.protocol=SSL",
                "--kafka-property=ssl.truststore.location=/etc/kafka/truststore.jks",
                "--jdbc-password-file=" + secret,
                "--checkpoint-interval=30s"));
        BillingJob job = new BillingJob();
        new CommandLine(job).parseArgs("@" + options);

        assertThat(job.options.bootstrapServers).isEqualTo("kafka-1:9093");
        assertThat(job.options.password()).isEqualTo("s3cret");
        assertThat(job.options.kafkaClientProperties()).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks");
        assertThat(job.options.checkpointInterval).isEqualTo(Duration.ofSeconds(30));
        assertThat(job.options.freeCreditsUsd).isEqualByComparingTo("5.00");
    }

    @Test
    void aDurationWithoutAUnitIsAnErrorNotMilliseconds() {
        BillingJob job = new BillingJob();
        assertThatThrownBy(() -> new CommandLine(job).parseArgs("--checkpoint-interval", "2"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--checkpoint-interval")
                .hasMessageContaining("'2' has no unit: write 2s, 500ms, 24h or 7d");
        assertThatThrownBy(() -> new CommandLine(new BillingJob()).parseArgs("--flush-interval", "2 fortnights"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("'2 fortnights' is not a duration: write 10s, 500ms, 24h or 7d");
        new CommandLine(job).parseArgs("--checkpoint-interval", "2 s", "--flush-interval", "1min");
        assertThat(job.options.checkpointInterval).isEqualTo(Duration.ofSeconds(2));
        assertThat(job.options.flushInterval).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void anUnreadablePasswordFileSaysWhichOptionIsWrong() {
        BillingJob job = new BillingJob();
        new CommandLine(job).parseArgs("--jdbc-password-file", dir.resolve("missing").toString());
        assertThatThrownBy(job.options::password).hasMessageContaining("--jdbc-password-file");
    }

    @Test
    void theRetiredTwoWindowOptionsAreRefusedWithTheOptionToUse() {
        for (String retired : new String[] {"--dedupe-retention", "--late-horizon"}) {
            assertThatThrownBy(() -> new CommandLine(new BillingJob()).parseArgs(retired, "24h"))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("--billing-window 24h");
        }
    }

    @Test
    void aBillingWindowShorterThanAnHourOrTheFutureSkewIsRefused() {
        BillingJob job = new BillingJob();
        new CommandLine(job).parseArgs("--billing-window", "30m");
        assertThatThrownBy(job.options::settings).hasMessageContaining("--billing-window");
        new CommandLine(job).parseArgs("--billing-window", "2h", "--max-future-skew", "3h");
        assertThatThrownBy(job.options::settings).hasMessageContaining("--max-future-skew");
        new CommandLine(job).parseArgs("--billing-window", "2h");
        assertThat(job.options.settings().ledger.billingWindow).isEqualTo(Duration.ofHours(2));
    }
}
