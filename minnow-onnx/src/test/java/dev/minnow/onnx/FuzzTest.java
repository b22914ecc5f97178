package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fixed, seeded number of mutated models ({@code -Dminnow.fuzz.cases}, default 5,000; the long
 * run is 100,000) must each run or be refused with a clean MinnowException: a crash inside an op,
 * any other exception, an OutOfMemoryError or a case over its time limit fails the test.
 */
class FuzzTest {
    static final int CASES = Integer.getInteger("minnow.fuzz.cases", 5_000);
    static final long SEED = Long.getLong("minnow.fuzz.seed", OnnxFuzz.DEFAULT_SEED);
    static final long CASE_MILLIS = Long.getLong("minnow.fuzz.caseMillis", 5_000);

    @Test
    void mutatedModelsRunOrFailCleanly() throws Exception {
        Path node = BackendTestData.nodeTests();
        assumeTrue(node != null, "skipped: the ONNX backend test archive (shared/data/onnx-backend-tests.tgz) is not beside the checkout");
        List<OnnxFuzz.Seed> seeds = OnnxFuzz.seeds(node);
        for (OnnxFuzz.Seed s : seeds) {
            assertTrue(s.opset() >= OnnxReader.MIN_OPSET && s.opset() <= OnnxReader.MAX_OPSET, s.name() + " uses opset " + s.opset());
            // an unmutated seed must load, or its mutants would test only the opset check
            String outcome = OnnxFuzz.runCase(s.bytes(), 1);
            assertEquals("ran", outcome, s.name() + " does not run unmutated");
        }
        OnnxFuzz.Result r = OnnxFuzz.run(seeds, SEED, 0, CASES, CASE_MILLIS, 20);
        System.out.println(r.summary());
        assertTrue(r.violations().isEmpty(), r.violations().size() + " violations (replay one with OnnxFuzz.main(\"1\", \""
                + SEED + "\", CASE_INDEX)):\n" + String.join("\n", r.violations()));
        assertEquals(CASES, r.cases());
        assertTrue(r.outcomes().getOrDefault("ran", 0) > CASES / 50, "too few mutants ran: " + r.outcomes());
    }

    /** The harness itself reports what it is meant to catch: op crashes, foreign exceptions, errors, hangs. */
    @Test
    void harnessCountsCrashesErrorsAndHangsAsViolations() throws Exception {
        List<OnnxFuzz.Seed> seeds = List.of(new OnnxFuzz.Seed("tiny", 13, Models.model(13, dev.minnow.onnx.proto.OnnxProto.GraphProto
                .newBuilder().addInput(Models.value("x", 1, 3)).addOutput(Models.value("x", 1, 3))).toByteArray()));
        int[] call = {0};
        OnnxFuzz.Result r = OnnxFuzz.run(seeds, 1, 0, 6, 300, 100, (model, inputSeed) -> {
            switch (call[0]++) {
                case 0 -> throw new OpFailedException("node 'n' (Conv) failed", new ArrayIndexOutOfBoundsException(3));
                case 1 -> throw new IllegalArgumentException("not a MinnowException");
                case 2 -> throw new OutOfMemoryError("Java heap space");
                case 3 -> {
                    try {
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "ran";
                }
                case 4 -> {
                    return "InvalidInputException";
                }
                default -> {
                    return "ran";
                }
            }
        });
        assertEquals(6, r.cases());
        assertEquals(4, r.violations().size(), String.join("\n", r.violations()));
        assertTrue(r.violations().get(0).contains("crash inside an op"), r.violations().get(0));
        assertTrue(r.violations().get(1).contains("IllegalArgumentException"), r.violations().get(1));
        assertTrue(r.violations().get(2).contains("OutOfMemoryError"), r.violations().get(2));
        assertTrue(r.violations().get(3).contains("did not finish within 300 ms"), r.violations().get(3));
        assertEquals(java.util.Map.of("ran", 1, "InvalidInputException", 1), r.outcomes());
        assertEquals(1, r.rejected());
        assertEquals("InvalidInputException", OnnxFuzz.runCase(new byte[] {1, 2, 3}, 1), "garbage bytes are refused cleanly");
    }
}
