package dev.billing.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How {@code bin/billing} and {@code billing-job} report a failure: what went wrong and what to do,
 * in a sentence on stderr, without a Java stack trace unless {@value #VERBOSE} is given (anywhere
 * on the command line). Passwords in JDBC URLs quoted by the message are hidden.
 */
public final class CommandLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {
    public static final String VERBOSE = "--verbose";

    private CommandLineErrors() {}

    /** Adds {@value #VERBOSE} to {@code commandLine} and all its subcommands, and reports their failures. */
    public static CommandLine install(CommandLine commandLine) {
        commandLine.getCommandSpec().addOption(OptionSpec.builder(VERBOSE)
                .scopeType(ScopeType.INHERIT)
                .description("On an error, print the Java stack trace too.")
                .build());
        CommandLineErrors errors = new CommandLineErrors();
        return commandLine.setExecutionExceptionHandler(errors).setParameterExceptionHandler(errors);
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(JdbcUrls.redacted(command.getCommandSpec().qualifiedName() + ": " + ex.getMessage()));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("See '" + command.getCommandSpec().qualifiedName() + " --help'.");
        // the parse failed, so the parse result may not hold --verbose yet: look at the words
        if (Arrays.asList(args).contains(VERBOSE)) {
            err.print(stackTrace(ex));
        }
        err.flush();
        return command.getExitCodeExceptionMapper() != null ? command.getExitCodeExceptionMapper().getExitCode(ex)
                : command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        err.println(JdbcUrls.redacted(command.getCommandSpec().qualifiedName() + ": " + describe(ex)));
        if (verbose(parseResult)) {
            err.print(stackTrace(ex));
        } else {
            err.println("(" + VERBOSE + " shows the stack trace)");
        }
        err.flush();
        return command.getExitCodeExceptionMapper() != null ? command.getExitCodeExceptionMapper().getExitCode(ex)
                : command.getCommandSpec().exitCodeOnExecutionException();
    }

    /**
     * The failure in one line: the outermost message, and the root cause's when it says something
     * the outer one does not (a wrapper's "Job execution failed" says little; the cause says why).
     */
    static String describe(Throwable ex) {
        Throwable outer = ex;
        // skip wrappers that only repeat their cause (new RuntimeException(cause) has cause.toString() as message)
        while (outer.getCause() != null && (outer.getMessage() == null
                || outer.getMessage().equals(outer.getCause().toString()))) {
            outer = outer.getCause();
        }
        Throwable root = outer;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String said = message(outer);
        String cause = message(root);
        String line = root == outer || said.contains(cause) ? said : said + " (" + cause + ")";
        return line.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private static boolean verbose(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }

    private static String stackTrace(Throwable ex) {
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        return Objects.requireNonNull(JdbcUrls.redacted(trace.toString()));
    }
}
