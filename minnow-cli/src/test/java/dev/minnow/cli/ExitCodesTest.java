package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.OpFailedException;
import dev.minnow.zoo.Zoo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Exit 2 for what the user can fix, 3 for Minnow's bugs, with the trace in a file instead of on the terminal. */
class ExitCodesTest {
    @CommandLine.Command(name = "fail")
    record Failing(RuntimeException failure) implements Callable<Integer> {
        @Override
        public Integer call() {
            throw failure;
        }
    }

    private record Outcome(int code, String err) {
    }

    private static Outcome run(RuntimeException failure) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Failing(failure));
        cl.setErr(new PrintWriter(err, true));
        int code = Main.execute(cl);
        return new Outcome(code, err.toString());
    }

    @Test
    void anOpCrashIsAnInternalErrorWithItsTraceInAFile() throws Exception {
        Outcome o = run(new OpFailedException("node 'c' (Conv) failed: java.lang.ArrayIndexOutOfBoundsException."
                + " This is a bug in Minnow's Conv op", new ArrayIndexOutOfBoundsException(7)));
        assertEquals(3, o.code(), o.err());
        assertInternal(o, "OpFailedException", "ArrayIndexOutOfBoundsException");
    }

    @Test
    void anUnexpectedExceptionIsAnInternalError() throws Exception {
        Outcome o = run(new IllegalStateException("inconsistent plan"));
        assertEquals(3, o.code(), o.err());
        assertInternal(o, "java.lang.IllegalStateException: inconsistent plan", "IllegalStateException");
    }

    @Test
    void aUserErrorStaysExitTwoWithoutClassNames() {
        Outcome o = run(new InvalidInputException("--lr must be a positive number, got -1"));
        assertEquals(2, o.code());
        assertEquals("minnow: error: --lr must be a positive number, got -1", o.err().strip());
    }

    @Test
    void badPreprocessingMetadataIsAUserErrorNamingTheKey(@TempDir Path dir) {
        Graph g = Zoo.build("lenet5", 1);
        g.metadata().putAll(dev.minnow.data.Preprocessing.none().toMetadata());
        g.metadata().put("minnow.preprocess.scale", "1/255");
        Path model = dir.resolve("m.onnx");
        Onnx.write(g, model);
        Cli r = Cli.run("eval", model.toString(), "--dataset", "mnist", "--data-dir", Cli.dataDir().toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("minnow.preprocess.scale") && r.err().contains("'1/255'"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    private static void assertInternal(Outcome o, String mustName, String inTrace) throws Exception {
        assertTrue(o.err().startsWith("minnow: internal error: "), o.err());
        assertTrue(o.err().contains(mustName), o.err());
        assertTrue(o.err().contains("bug in Minnow"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace on stderr: " + o.err());
        Matcher m = Pattern.compile("stack trace in (\\S+\\.txt)").matcher(o.err());
        assertTrue(m.find(), o.err());
        Path trace = Path.of(m.group(1));
        try {
            String text = Files.readString(trace);
            assertTrue(text.contains("\tat ") && text.contains(inTrace), text);
        } finally {
            Files.deleteIfExists(trace);
        }
    }
}
