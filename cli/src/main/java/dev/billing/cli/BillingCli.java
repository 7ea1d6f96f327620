package dev.billing.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/billing}: the command line of the billing pipeline. */
@Command(name = "billing", mixinStandardHelpOptions = true, version = "billing 0.1.0",
        description = "Streaming token billing on Apache Flink.",
        subcommands = {DemoCommand.class, JobCommand.class, CommandLine.HelpCommand.class})
public class BillingCli {
    public static void main(String[] args) {
        System.exit(new CommandLine(new BillingCli()).execute(args));
    }
}
