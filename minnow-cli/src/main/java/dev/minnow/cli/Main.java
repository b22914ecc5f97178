package dev.minnow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The `minnow` command. User errors (MinnowException, bad arguments) print one clear message
 * and exit with code 2; internal errors (bugs) exit with 3 and say where the stack trace went.
 * See {@link Failures}.
 */
@Command(name = "minnow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Minnow makes neural networks small and fast: train, evaluate, inspect and run models.", ""},
        subcommands = {TrainCommand.class, EvalCommand.class, CompressCommand.class, PruneCommand.class,
                SensitivityCommand.class, QuantizeCommand.class, ClusterCommand.class, DistillCommand.class,
                EncodeCommand.class, DecodeCommand.class, ConvertCommand.class, ReportCommand.class,
                InfoCommand.class, DemoCommand.class, BenchCommand.class, CostCommand.class,
                ConformanceCommand.class, DownloadCommand.class, QatCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "MODEL is a path to an .onnx file or the name of a zoo model (see `minnow info --list`).",
                "Data is read from --data-dir, else $MINNOW_DATA, else ~/.cache/minnow.",
                "Run `minnow COMMAND --help` for the options of each command."})
public final class Main implements Runnable {
    public static final String VERSION = "0.1.0";
    public static final int EXIT_USER_ERROR = Failures.EXIT_USER_ERROR;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests in-process). */
    public static int run(String... args) {
        return execute(new CommandLine(new Main()), args);
    }

    /** Runs a command line with Minnow's error handling: see {@link Failures} for the exit codes. */
    static int execute(CommandLine cl, String... args) {
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> Failures.report(ex, commandLine.getErr()));
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("minnow: error: " + ex.getMessage());
            c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return Failures.EXIT_USER_ERROR;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("minnow: error: out of memory; try a smaller --batch-size or give Java more memory "
                    + "(MINNOW_JAVA_OPTS=-Xmx16g)");
            return Failures.EXIT_USER_ERROR;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"minnow " + VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
