package dev.billing.cli.reconcile;

import dev.billing.cli.SchemaNameConverter;
import dev.billing.cli.ops.ResultFormat;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code bin/billing reconcile}: recompute the billing from the raw topics and diff it against PostgreSQL. */
@Command(name = "reconcile", mixinStandardHelpOptions = true, sortOptions = false, exitCodeOnExecutionException = 2,
        description = {
            "Recompute rollups and balances from the raw input topics with the job's own code (a bounded Flink batch"
                    + " job over everything the topics hold), and compare them with what the job wrote to PostgreSQL:"
                    + " every usage_hourly row of the hours in [--from, --to), each account's totals over those hours,"
                    + " and each account's credits, spend and balance.",
            "Give it the job's options (the same @file works), so that it applies the job's rules.",
            "Prints one line per differing field; exit code 0: no differences, 1: differences, 2: could not reconcile."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"0:no differences", "1:differences found",
            "2:could not reconcile (the error says why)"})
public class ReconcileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, converter = InstantConverter.class,
            description = "First hour to compare: an instant (2026-11-01T00:00:00Z) or a UTC date (2026-11-01).")
    Instant from;

    @Option(names = "--to", converter = InstantConverter.class,
            description = "End of the hours to compare, exclusive (default: the start of the current hour).")
    Instant to;

    @Option(names = "--no-balances", negatable = true, defaultValue = "true",
            description = "Compare account balances (lifetime credits and spend) too. Default: on. Turn it off while the"
                    + " job is live: balances move with every record.")
    boolean balances = true;

    @Option(names = "--work-schema", defaultValue = "billing_reconcile", converter = SchemaNameConverter.class,
            description = "Schema of the same database to recompute into; dropped and recreated, kept afterwards for"
                    + " inspection (default: ${DEFAULT-VALUE}).")
    String workSchema;

    @Option(names = "--format", defaultValue = "TABLE", description = "TABLE, CSV or JSON (default: ${DEFAULT-VALUE}).")
    ResultFormat format;

    @Mixin
    JobOptions job = new JobOptions();

    @Override
    public Integer call() throws Exception {
        Instant end = to != null ? to : Instant.now().truncatedTo(ChronoUnit.HOURS);
        if (!from.isBefore(end)) {
            throw new ParameterException(spec.commandLine(), "--from " + from + " must be before --to " + end);
        }
        String billedSchema = currentSchema();
        if (billedSchema.equals(workSchema)) {
            throw new ParameterException(spec.commandLine(), "--work-schema " + workSchema
                    + " is the schema the job writes to (--jdbc-url): choose another one");
        }
        TopicOrder.warnIfNotAppendTime(job, System.err);
        System.err.println("Replaying " + String.join(", ", job.usageTopic, job.eventsTopic, job.ratesTopic) + " on "
                + job.bootstrapServers + " from their earliest records to their current ends into schema " + workSchema + " ...");
        new Recomputation(job, workSchema, System.err).run();

        ReconcileDiff diff = new ReconcileDiff(billedSchema, workSchema, from, end);
        try (Connection c = DriverManager.getConnection(job.jdbcUrl, job.jdbcUser, job.password())) {
            int differences = diff.printDifferences(c, balances, format, System.out);
            System.err.println(diff.summary(c));
            System.err.println(differences == 0 ? "No differences." : differences + " differences.");
            return differences == 0 ? 0 : 1;
        }
    }

    private String currentSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(job.jdbcUrl, job.jdbcUser, job.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_schema()")) {
            rs.next();
            String schema = rs.getString(1);
            if (schema == null) {
                throw new IllegalStateException("--jdbc-url " + JdbcUrls.redacted(job.jdbcUrl) + " names no existing schema: point it where"
                        + " the job writes (for example ?currentSchema=billing)");
            }
            return schema;
        }
    }

    /** An ISO instant, or a date taken as its start in UTC. */
    static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notADate) {
                    throw new TypeConversionException("'" + value + "' is neither an instant such as 2026-11-01T00:00:00Z"
                            + " nor a date such as 2026-11-01");
                }
            }
        }
    }
}
