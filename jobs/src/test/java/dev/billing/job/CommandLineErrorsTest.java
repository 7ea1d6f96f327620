package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code flink run billing-jobs.jar} with bad arguments or in a bad situation: a sentence, no stack trace. */
class CommandLineErrorsTest {
    private static final String STACK_FRAME = "\tat ";
    // nothing listens on port 1: the connection is refused at once
    private static final String UNREACHABLE_DB = "jdbc:postgresql://127.0.0.1:1/billing?user=app&password=hunter2";

    @TempDir
    Path dir;

    record Run(int exit, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int exit = BillingJob.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
                .execute(args);
        System.out.println(err); // the test's log shows what a user would see
        return new Run(exit, err.toString());
    }

    @Test
    void aWrongOptionIsASentenceWithWhatToDo() {
        Run r = run("--checkpoint-interval", "2");

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("'2' has no unit: write 2s, 500ms, 24h or 7d", "billing-job --help")
                .doesNotContain(STACK_FRAME, "Usage:");
        assertThat(r.err.lines()).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void anUnknownOptionSuggestsTheNearOne() {
        Run r = run("--checkpoint-intervall", "2s");

        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Unknown option", "'--checkpoint-intervall'").doesNotContain(STACK_FRAME);
        assertThat(r.err.lines()).anyMatch(l -> l.matches("Possible solutions: .*--checkpoint-interval(,.*|$)"));
    }

    @Test
    void anUnreachableDatabaseIsASentenceWithoutStackTraceOrPassword() {
        Run r = run(unreachableDatabase().toArray(String[]::new));

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("Could not count the balances", "Check --jdbc-url").doesNotContain(STACK_FRAME, "hunter2");
        assertThat(r.err.lines()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void verboseAddsTheStackTraceStillWithoutPassword() {
        List<String> args = unreachableDatabase();
        args.add(CommandLineErrors.VERBOSE);
        Run r = run(args.toArray(String[]::new));

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("Could not count the balances", STACK_FRAME + "dev.billing.job.StateGuard.accounts")
                .doesNotContain("hunter2");
    }

    @Test
    void describesAWrappedFailureByItsMessageAndItsRootCause() {
        Exception wrapped = new RuntimeException(new IllegalStateException("Job execution failed.",
                new SQLException("Connection to db:5432 refused.\nCheck that the hostname and port are correct")));

        assertThat(CommandLineErrors.describe(wrapped)).isEqualTo(
                "Job execution failed. (Connection to db:5432 refused. Check that the hostname and port are correct)");
        assertThat(CommandLineErrors.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }

    private List<String> unreachableDatabase() {
        return new ArrayList<>(List.of("--jdbc-url", UNREACHABLE_DB, "--no-create-topics",
                "--checkpoint-dir", dir.toUri().toString()));
    }
}
