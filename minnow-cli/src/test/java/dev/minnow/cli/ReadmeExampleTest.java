package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the Java example in README.md exactly as written and runs it on a small synthetic
 * MNIST-format data set (ten classes, each a bright bar at its own place), so the README cannot
 * drift from the API.
 */
class ReadmeExampleTest {
    @Test
    void readmeJavaExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String readme = Files.readString(findReadme());
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "README has a ```java block");
        String snippet = readme.substring(start + 8, readme.indexOf("```", start + 8));
        String source = """
                import dev.minnow.data.*;
                import dev.minnow.graph.*;
                import dev.minnow.onnx.*;
                import dev.minnow.train.*;
                import dev.minnow.zoo.*;
                import java.nio.file.Path;
                public class ReadmeExample {
                    public static void run(Path dataDir, Path out) {
                """ + snippet + "\n    }\n}\n";
        Path src = dir.resolve("src/ReadmeExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, "the README example compiles:\n" + source);

        Path data = dir.resolve("data");
        writeSyntheticMnist(data.resolve("mnist"), 1200, 200);
        Path out = dir.resolve("lenet5.onnx");
        try (URLClassLoader cl = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method run = cl.loadClass("ReadmeExample").getMethod("run", Path.class, Path.class);
            run.invoke(null, data, out);
        }
        Graph g = Onnx.read(out);
        assertEquals(431080, g.paramCount(), "the example saved the trained LeNet-5");
    }

    private static Path findReadme() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("minnow-cli"))) {
                return p.resolve("README.md");
            }
        }
        throw new AssertionError("README.md not found");
    }

    /** IDX files in MNIST's layout and names; class k has a bar at rows 2k..2k+3. */
    static void writeSyntheticMnist(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(5);
        for (var split : List.of(new Object[] {"train", train}, new Object[] {"t10k", test})) {
            int n = (Integer) split[1];
            byte[] labels = new byte[n];
            byte[] pixels = new byte[n * 784];
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(10);
                labels[i] = (byte) k;
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        int v = r.nextInt(60);
                        if (y >= 2 * k + 3 && y < 2 * k + 7 && x > 4 && x < 24) {
                            v = 200 + r.nextInt(56);
                        }
                        pixels[i * 784 + y * 28 + x] = (byte) v;
                    }
                }
            }
            try (DataOutputStream o = gz(dir.resolve(split[0] + "-images-idx3-ubyte.gz"))) {
                o.writeInt(0x803);
                o.writeInt(n);
                o.writeInt(28);
                o.writeInt(28);
                o.write(pixels);
            }
            try (DataOutputStream o = gz(dir.resolve(split[0] + "-labels-idx1-ubyte.gz"))) {
                o.writeInt(0x801);
                o.writeInt(n);
                o.write(labels);
            }
        }
    }

    private static DataOutputStream gz(Path p) throws IOException {
        OutputStream o = new GZIPOutputStream(Files.newOutputStream(p));
        return new DataOutputStream(o);
    }
}
