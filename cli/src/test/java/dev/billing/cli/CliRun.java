package dev.billing.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code bin/billing args} run in the test's JVM: its exit code and what it printed to stdout and stderr. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BillingCli.commandLine().execute(args.toArray(String[]::new));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        String errText = err.toString(StandardCharsets.UTF_8);
        originalErr.print(errText); // the test's log keeps the command's progress and errors
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), errText);
    }

    /** Both streams, in that order. */
    public String printed() {
        return out + err;
    }
}
