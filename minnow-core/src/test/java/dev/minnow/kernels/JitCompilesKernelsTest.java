package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JIT's optimizing compiler must accept every kernel method. When it gives up on one
 * ("COMPILE SKIPPED", as JDK 25's C2 did on a micro-kernel epilogue with masked stores), the
 * method stays in the baseline compiler, its vectors are not intrinsified, and the kernel runs
 * 50 to 100 times slower while still computing the right numbers, which no result test sees.
 */
class JitCompilesKernelsTest {
    @Test
    void noKernelMethodIsSkippedByTheOptimizingCompiler() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:+PrintCompilation",
                "-cp", System.getProperty("java.class.path"), JitCompilesKernelsMain.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("rounds="), out);
        List<String> skipped = out.lines()
                .filter(l -> l.contains("dev.minnow.kernels.") && l.contains("COMPILE SKIPPED")).toList();
        assertEquals(List.of(), skipped, "kernel methods the optimizing compiler gave up on");
        assertTrue(out.lines().anyMatch(l -> l.contains("GemmVector::microKernel") && l.matches(".*\\s4\\s+dev\\..*")),
                "the micro-kernel reached the optimizing tier (4)");
        for (String kernel : List.of("ShiftedConv::tile", "ShiftedConv::block4x4")) {
            assertTrue(out.lines().anyMatch(l -> l.contains(kernel) && l.matches(".*\\s4\\s+dev\\..*")),
                    kernel + " reached the optimizing tier (4)");
        }
    }
}
