package dev.billing.cli.ops;

import dev.billing.gateway.DatabaseOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code bin/billing report}: monthly statements and revenue, from the analyst views in PostgreSQL. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Billing reports from PostgreSQL: an account's monthly statement, revenue per model and day.",
        subcommands = {ReportCommand.Statement.class, ReportCommand.Revenue.class})
public class ReportCommand {
    /** The same JDBC options as the job and the gateway (password from a file or the environment too). */
    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--format", defaultValue = "TABLE", description = "TABLE, CSV or JSON (default: ${DEFAULT-VALUE}).")
    ResultFormat format;

    Connection connect() throws Exception {
        return database.connect();
    }

    @Command(name = "statement", mixinStandardHelpOptions = true,
            description = "An account's statement for a month: tokens and cost per model, list price, discount, and its credits and balance now.")
    static class Statement implements Callable<Integer> {
        @ParentCommand
        ReportCommand report;

        @Option(names = "--account", required = true, description = "The account id.")
        String account;

        @Option(names = "--month", description = "YYYY-MM, UTC (default: this month).")
        YearMonth month;

        @Override
        public Integer call() throws Exception {
            LocalDate first = (month == null ? YearMonth.now(java.time.ZoneOffset.UTC) : month).atDay(1);
            String sql = "SELECT * FROM (SELECT model, requests, prompt_tokens, completion_tokens, list_cost_usd,"
                    + " discount_usd, cost_usd FROM spend_monthly WHERE account_id = ? AND month = ?"
                    + " UNION ALL SELECT 'TOTAL', sum(requests)::bigint, sum(prompt_tokens)::bigint, sum(completion_tokens)::bigint,"
                    + " sum(list_cost_usd), sum(discount_usd), sum(cost_usd) FROM spend_monthly WHERE account_id = ? AND month = ?)"
                    + " lines ORDER BY model = 'TOTAL', model";
            try (Connection c = report.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, account);
                ps.setObject(2, first);
                ps.setString(3, account);
                ps.setObject(4, first);
                System.out.println("Statement of " + account + " for " + first.toString().substring(0, 7) + " (UTC)");
                try (ResultSet rs = ps.executeQuery()) {
                    report.format.print(rs, System.out);
                }
                try (PreparedStatement b = c.prepareStatement("SELECT credits_usd, spend_usd, balance_usd, status,"
                        + " month_spend_usd, updated_at FROM account_balance WHERE account_id = ?")) {
                    b.setString(1, account);
                    try (ResultSet rs = b.executeQuery()) {
                        System.out.println("Account now:");
                        report.format.print(rs, System.out);
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "revenue", mixinStandardHelpOptions = true, description = "Revenue per model and UTC day.")
    static class Revenue implements Callable<Integer> {
        @ParentCommand
        ReportCommand report;

        @Option(names = "--from", description = "First day, YYYY-MM-DD (default: 30 days ago).")
        LocalDate from;

        @Option(names = "--to", description = "Last day, YYYY-MM-DD (default: today).")
        LocalDate to;

        @Override
        public Integer call() throws Exception {
            LocalDate today = LocalDate.now(java.time.ZoneOffset.UTC);
            try (Connection c = report.connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT day, model, accounts, requests, prompt_tokens, completion_tokens, discount_usd, revenue_usd"
                            + " FROM revenue_by_model_daily WHERE day BETWEEN ? AND ? ORDER BY day, model")) {
                ps.setObject(1, from == null ? today.minusDays(30) : from);
                ps.setObject(2, to == null ? today : to);
                try (ResultSet rs = ps.executeQuery()) {
                    report.format.print(rs, System.out);
                }
            }
            return 0;
        }
    }
}
