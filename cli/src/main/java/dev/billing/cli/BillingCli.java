package dev.billing.cli;

import dev.billing.cli.ops.DlqCommand;
import dev.billing.cli.ops.ReportCommand;
import dev.billing.cli.reconcile.ReconcileCommand;
import dev.billing.bench.BenchCommand;
import dev.billing.gateway.GatewayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/billing}: the command line of the billing pipeline. */
@Command(name = "billing", mixinStandardHelpOptions = true, version = "billing 0.1.0",
        description = "Streaming token billing on Apache Flink.",
        subcommands = {DemoCommand.class, JobCommand.class, DlqCommand.class, ReportCommand.class, ReconcileCommand.class, GatewayCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public class BillingCli {
    public static void main(String[] args) {
        System.exit(new CommandLine(new BillingCli()).execute(args));
    }
}
