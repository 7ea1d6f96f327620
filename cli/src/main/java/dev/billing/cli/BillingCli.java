package dev.billing.cli;

import dev.billing.cli.keys.KeysCommand;
import dev.billing.cli.ops.DlqCommand;
import dev.billing.cli.ops.ReportCommand;
import dev.billing.cli.reconcile.ReconcileCommand;
import dev.billing.bench.BenchCommand;
import dev.billing.gateway.GatewayCommand;
import dev.billing.job.CommandLineErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/billing}: the command line of the billing pipeline. */
@Command(name = "billing", mixinStandardHelpOptions = true, version = "billing 0.1.0",
        description = "Streaming token billing on Apache Flink.",
        subcommands = {DemoCommand.class, JobCommand.class, StopWithSavepointCommand.class, UpgradeStateCommand.class, DlqCommand.class, ReportCommand.class, ReconcileCommand.class, GatewayCommand.class, KeysCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public class BillingCli {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** {@code bin/billing}: every error in a sentence on stderr, the stack trace only with --verbose. */
    public static CommandLine commandLine() {
        return CommandLineErrors.install(new CommandLine(new BillingCli()));
    }
}
