package dev.minnow.cli;

import dev.minnow.errors.MinnowException;
import dev.minnow.onnx.OpFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What the CLI prints and returns when a command fails. Exit codes (README.md lists them):
 * <ul>
 * <li>2: a user error: a bad argument, file, dataset or model, or a run that diverged. One
 *     message that names the cause; no stack trace.</li>
 * <li>3: an internal error, a bug in Minnow: an op that crashed ({@link OpFailedException}) or any
 *     exception Minnow did not raise on purpose. The message names the exception; the stack trace
 *     goes to a file in the temp folder (and to stderr with MINNOW_DEBUG=1) for the bug report.</li>
 * </ul>
 */
final class Failures {
    static final int EXIT_USER_ERROR = 2;
    static final int EXIT_INTERNAL_ERROR = 3;

    private Failures() {
    }

    /** True for failures that are Minnow's fault rather than the user's. */
    static boolean isInternal(Throwable ex) {
        // OpFailedException is a MinnowException so library callers can catch one type, but it
        // reports a crash inside an op, not a problem with the model or the arguments
        if (ex instanceof OpFailedException) {
            return true;
        }
        return !(ex instanceof MinnowException || ex instanceof UncheckedIOException || ex instanceof IOException);
    }

    /** Prints the failure to err and returns the exit code. */
    static int report(Throwable ex, PrintWriter err) {
        boolean debug = "1".equals(System.getenv("MINNOW_DEBUG"));
        if (!isInternal(ex)) {
            err.println("minnow: error: " + userMessage(ex));
            if (debug) {
                ex.printStackTrace(err);
            }
            return EXIT_USER_ERROR;
        }
        err.println("minnow: internal error: " + ex.getClass().getName() + ": " + ex.getMessage());
        Path trace = writeTrace(ex);
        err.println("This is a bug in Minnow, not in your input. Please report it with the command you ran, "
                + "the model and " + (trace != null ? "the stack trace in " + trace
                : "the stack trace (run again with MINNOW_DEBUG=1 to print it)") + ".");
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_INTERNAL_ERROR;
    }

    private static String userMessage(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            return "file not found: " + e.getFile();
        }
        if (ex instanceof UncheckedIOException e) {
            return e.getCause().getMessage();
        }
        return ex.getMessage();
    }

    /** The stack trace in a new file in the temp folder, or null when that fails. */
    private static Path writeTrace(Throwable ex) {
        StringWriter w = new StringWriter();
        ex.printStackTrace(new PrintWriter(w));
        try {
            // a fresh, uniquely named file nobody reads while it is written: no need for AtomicFiles;
            // it keeps createTempFile's owner-only mode, as a trace can hold paths of private files
            Path f = Files.createTempFile("minnow-crash-", ".txt");
            Files.writeString(f, "minnow " + Main.VERSION + " (Java " + Runtime.version() + ")\n" + w,
                    StandardCharsets.UTF_8);
            return f;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
