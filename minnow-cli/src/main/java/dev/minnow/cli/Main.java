package dev.minnow.cli;

import dev.minnow.errors.MinnowException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The `minnow` command. User errors (MinnowException, bad arguments) print one clear message
 * and exit with code 2, without a stack trace; MINNOW_DEBUG=1 shows the trace.
 */
@Command(name = "minnow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Minnow makes neural networks small and fast: train, evaluate, inspect and run models.", ""},
        subcommands = {TrainCommand.class, EvalCommand.class, InfoCommand.class, DemoCommand.class,
                BenchCommand.class, ConformanceCommand.class, DownloadCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "MODEL is a path to an .onnx file or the name of a zoo model (see `minnow info --list`).",
                "Data is read from --data-dir, else $MINNOW_DATA, else ~/.cache/minnow.",
                "Run `minnow COMMAND --help` for the options of each command."})
public final class Main implements Runnable {
    public static final String VERSION = "0.1.0";
    public static final int EXIT_USER_ERROR = 2;

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
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof MinnowException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof java.nio.file.NoSuchFileException) {
                commandLine.getErr().println("minnow: error: " + message(ex));
                if ("1".equals(System.getenv("MINNOW_DEBUG"))) {
                    ex.printStackTrace(commandLine.getErr());
                }
                return EXIT_USER_ERROR;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("minnow: error: " + ex.getMessage());
            c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            return EXIT_USER_ERROR;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("minnow: error: out of memory; try a smaller --batch-size or give Java more memory "
                    + "(MINNOW_JAVA_OPTS=-Xmx16g)");
            return EXIT_USER_ERROR;
        }
    }

    private static String message(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException e) {
            return "file not found: " + e.getFile();
        }
        if (ex instanceof java.io.UncheckedIOException e) {
            return e.getCause().getMessage();
        }
        return ex.getMessage();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"minnow " + VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
