package dev.billing.cli;

import dev.billing.job.JobOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.billing.cli.demo.Demo;

/** The README's first command: the whole pipeline on this machine, with nothing to set up. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the billing pipeline locally with nothing to set up: an in-process Kafka broker (a real"
                + " KRaft broker), PostgreSQL (BILLING_JDBC_URL, else localhost:5432, else an embedded one), the job"
                + " on a Flink mini-cluster, and simulated inference nodes, gateways and payments.",
            "Prints progress while it runs and a summary with SQL to look further."})
public class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "60s", converter = JobOptions.DurationConverter.class,
            description = "How long the simulated traffic runs (default: ${DEFAULT-VALUE}); Ctrl-C stops earlier.")
    Duration duration;

    @Option(names = "--accounts", defaultValue = "12", description = "Simulated accounts (default: ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--requests-per-second", defaultValue = "200",
            description = "Simulated inference requests per second (default: ${DEFAULT-VALUE}).")
    int requestsPerSecond;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--seed", description = "Seed of the simulation (default: random).")
    Long seed;

    @Option(names = "--schema", defaultValue = "billing_demo", converter = SchemaNameConverter.class,
            description = "PostgreSQL schema the demo (re)creates and writes to: lower-case letters, digits and _"
                    + " (default: ${DEFAULT-VALUE}).")
    String schema;

    @Override
    public Integer call() throws Exception {
        return new Demo(this::say, duration, accounts, requestsPerSecond, parallelism,
                seed == null ? System.nanoTime() : seed, schema).run();
    }

    private void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
