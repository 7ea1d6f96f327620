package dev.billing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.embedded.LocalPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/billing} with wrong arguments and in bad situations: the error is a sentence or two
 * on stderr that says what to do, with a non-zero exit code, and a Java stack trace only with
 * --verbose. Nothing here needs a running Kafka or PostgreSQL: port 1 refuses every connection.
 */
class CliErrorsTest {
    private static final String STACK_FRAME = "\tat ";
    private static final String NO_KAFKA = "127.0.0.1:1";
    private static final String NO_DB = "jdbc:postgresql://127.0.0.1:1/billing";

    @TempDir
    Path dir;

    @Test
    void aWrongOptionSaysWhatIsWrongAndWhereTheHelpIs() {
        CliRun run = CliRun.of(List.of("dlq", "count", "--resaon", "UNKNOWN_MODEL"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("billing dlq count: Unknown option", "'--resaon'", "See 'billing dlq count --help'.")
                .doesNotContain(STACK_FRAME, "Usage:");
        assertThat(run.err().lines()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void aDurationWithoutUnitIsRefused() {
        CliRun run = CliRun.of(List.of("demo", "--duration", "2"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'2' has no unit: write 2s, 500ms, 24h or 7d").doesNotContain(STACK_FRAME);
        assertThat(run.out()).as("nothing started").isEmpty();
    }

    @Test
    void aSchemaNameThatIsNotPlainIsRefusedBeforeAnythingStarts() {
        CliRun demo = CliRun.of(List.of("demo", "--schema", "demo; SELECT 1"));

        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).contains("'demo; SELECT 1' is not a plain schema name").doesNotContain(STACK_FRAME);
        assertThat(demo.out()).as("nothing started").isEmpty();

        CliRun reconcile = CliRun.of(List.of("reconcile", "--from", "2026-11-01", "--work-schema", "Work\" CASCADE; --",
                "--jdbc-url", NO_DB));
        assertThat(reconcile.exitCode()).isEqualTo(2);
        assertThat(reconcile.err()).contains("is not a plain schema name").doesNotContain(STACK_FRAME);
    }

    @Test
    void unreachableKafkaIsASentenceWithWhatToCheck() {
        CliRun run = CliRun.of(List.of("dlq", "--bootstrap-servers", NO_KAFKA,
                "--kafka-property", "default.api.timeout.ms=1500", "count"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("billing dlq count: Kafka at " + NO_KAFKA + " did not answer within 1500 ms",
                "check --bootstrap-servers").doesNotContain(STACK_FRAME);
        assertThat(run.err().lines()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void reconcileWithUnreachableKafkaIsASentenceWithWhatToCheck() {
        String postgres = System.getenv().getOrDefault("BILLING_JDBC_URL", LocalPostgres.DEFAULT_URL);
        CliRun run = CliRun.of(List.of("reconcile", "--from", "2026-11-01", "--jdbc-url", postgres,
                "--bootstrap-servers", NO_KAFKA, "--kafka-property", "request.timeout.ms=1000",
                "--kafka-property", "default.api.timeout.ms=1500"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("billing reconcile: Could not read the input topics", "on " + NO_KAFKA,
                "check --bootstrap-servers").doesNotContain(STACK_FRAME);
        assertThat(run.err().lines()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void unreachablePostgresIsASentenceAndVerboseAnywhereAddsTheStackTrace() {
        List<String> report = List.of("report", "--jdbc-url", NO_DB, "revenue");
        CliRun quiet = CliRun.of(report);
        assertThat(quiet.exitCode()).isEqualTo(1);
        assertThat(quiet.err()).contains("billing report revenue: Connection to 127.0.0.1:1 refused")
                .doesNotContain(STACK_FRAME);
        assertThat(quiet.err().lines()).hasSizeLessThanOrEqualTo(2);

        List<String> first = new ArrayList<>(List.of("--verbose"));
        first.addAll(report);
        List<String> last = new ArrayList<>(report);
        last.add("--verbose");
        for (List<String> args : List.of(first, last)) {
            CliRun verbose = CliRun.of(args);
            assertThat(verbose.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(verbose.err()).as(String.join(" ", args))
                    .contains("billing report revenue: Connection to 127.0.0.1:1 refused", STACK_FRAME + "org.postgresql");
        }
    }

    @Test
    void thePasswordOfAJdbcUrlIsNeverPrinted() {
        List<String> job = new ArrayList<>(List.of("job", "--jdbc-url", NO_DB + "?sslmode=disable&password=hunter2",
                "--no-create-topics", "--checkpoint-dir", dir.toUri().toString()));
        CliRun quiet = CliRun.of(job);
        assertThat(quiet.exitCode()).isEqualTo(1);
        assertThat(quiet.err()).contains("billing job: Could not count the balances at " + NO_DB
                + "?sslmode=disable&password=*** ", "Check --jdbc-url").doesNotContain(STACK_FRAME);
        assertThat(quiet.printed()).doesNotContain("hunter2");

        job.add("--verbose");
        CliRun verbose = CliRun.of(job);
        assertThat(verbose.err()).contains(STACK_FRAME);
        assertThat(verbose.printed()).doesNotContain("hunter2");
    }
}
