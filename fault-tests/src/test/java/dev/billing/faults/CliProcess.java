package dev.billing.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code bin/billing <command> ...} as a child process, from the CLI jar the build made, its output in a file. */
final class CliProcess {
    private CliProcess() {}

    /** Starts {@code BillingCli args...}; its output goes to {@code dir/<label>.out}. */
    static Process start(Path dir, String label, List<String> args) throws IOException {
        String classpath = System.getProperty("billing.cli.jar") + ":"
                + Files.readString(Path.of(System.getProperty("billing.cli.classpath"))).trim();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp"))));
        command.addAll(List.of(System.getProperty("jvm.add.opens", "").trim().split("\\s+")));
        command.addAll(List.of("-cp", classpath, "dev.billing.cli.BillingCli"));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(label + ".out").toFile())).start();
    }
}
