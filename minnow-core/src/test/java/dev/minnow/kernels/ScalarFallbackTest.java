package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernels in a JVM without the Vector API module: no NoClassDefFoundError, same results. */
class ScalarFallbackTest {
    @Test
    void kernelsRunWithoutTheVectorModule() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ScalarFallbackMain.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int code = p.waitFor();
        assertEquals(0, code, out);
        assertEquals("available=false ok", out.lines().reduce((a, b) -> b).orElse(""), out);
    }
}
