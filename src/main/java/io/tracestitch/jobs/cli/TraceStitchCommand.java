package io.tracestitch.jobs.cli;

import io.tracestitch.config.CloseNames;
import io.tracestitch.config.RunOptions;
import io.tracestitch.jobs.UnreadableInputException;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code tracestitch} command and its exit codes, the same for every subcommand: 0 done (and
 * for {@code --help}, printed on stdout); 2 a usage error, one line on stderr and the command's
 * synopsis; 1 an input that cannot be read or a failed job, one line on stderr naming the cause.
 */
@Command(name = "tracestitch",
        description = "Stitches asynchronous serverless traces into transactions.")
public final class TraceStitchCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(TraceStitchCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private TraceStitchCommand() {}

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new TraceStitchCommand())
                .addSubcommand("stitch", StitchCommand.commandLine())
                .addSubcommand("demo", new DemoCommand())
                .addSubcommand("bench", new BenchCommand())
                .addSubcommand("simulate", new SimulateCommand())
                .addSubcommand("run", new RunCommand())
                .addSubcommand("soak", new SoakCommand())
                .addSubcommand("help", new HelpCommand());
        // Set after the subcommands are added: picocli copies these settings down the tree.
        return commandLine
                .setExpandAtFiles(false) // "@x" is a path, not a file of further arguments
                .setUnmatchedOptionsAllowedAsOptionParameters(false) // "--output --gpa" is a mistake, not a file
                .setParameterExceptionHandler(TraceStitchCommand::usageError)
                .setExecutionExceptionHandler(TraceStitchCommand::failure)
                .setOut(new PrintWriter(System.out, true))
                .setErr(new PrintWriter(System.err, true));
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "a command is needed: stitch, demo, bench, simulate, run or soak");
    }

    private static int usageError(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        boolean topLevel = command.getCommandSpec().parent() == null;
        PrintWriter err = command.getErr();
        // A mistyped run argument may quote a Kafka client property's secret value ("kafka.properties.x=…").
        err.println("tracestitch: " + RunOptions.redact(problem(error, topLevel)));
        if (topLevel) {
            command.usage(err); // short, and it lists the commands
        } else {
            err.print(command.getHelp().fullSynopsis());
            err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for what each option means.");
        }
        return CommandLine.ExitCode.USAGE;
    }

    /** picocli's message on one line, said the way the rest of tracestitch says things. */
    private static String problem(ParameterException error, boolean topLevel) {
        String message = error.getMessage().replaceAll("\\R", " ");
        if (error instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            if (topLevel && !unmatched.isUnknownOption()) {
                return "unknown command '" + first + "'";
            }
            List<String> close = closeOptionNames(first, error.getCommandLine().getCommandSpec().optionsMap().keySet());
            if (unmatched.isUnknownOption() && !close.isEmpty()) {
                message += " (did you mean " + String.join(" or ", close) + "?)";
            }
        }
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }

    private static List<String> closeOptionNames(String typed, Collection<String> names) {
        String name = typed.split("=", 2)[0]; // --gpa=5s
        return CloseNames.of(name, names.stream().filter(option -> option.startsWith("--")).toList());
    }

    private static int failure(Exception failure, CommandLine command, ParseResult parsed) {
        if (failure instanceof UnreadableInputException) {
            command.getErr().println("tracestitch: " + failure.getMessage());
        } else {
            LOG.debug("{} failed", command.getCommandSpec().qualifiedName(), failure);
            command.getErr().println("tracestitch: " + command.getCommandName() + " failed: " + innermostCause(failure));
        }
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** The innermost cause: Flink wraps a task's failure in several layers of "job execution failed". */
    private static String innermostCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }
}
