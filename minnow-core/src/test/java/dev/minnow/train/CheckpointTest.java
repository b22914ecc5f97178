package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.DataException;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    static Checkpoint sample() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("fc.w", Tensor.of(Shape.of(2, 2), 1f, -2.5f, Float.MIN_VALUE, 3e7f));
        params.put("fc.b", Tensor.of(Shape.of(2), 0f, -0f));
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("#steps", Tensor.ofLongs(Shape.scalar(), 42));
        state.put("fc.w/m", Tensor.of(Shape.of(4), 0.1f, 0.2f, 0.3f, 0.4f));
        return new Checkpoint(params, "adam(lr=0.001)", state, -77, 3, 42, "epochs=5 batch=32 seed=-77 \u00e9");
    }

    @Test
    void roundTripsThroughAFile() {
        Path p = dir.resolve("run.ckpt");
        Checkpoint c = sample();
        c.write(p);
        Checkpoint r = Checkpoint.read(p);
        assertEquals(c.optimizer(), r.optimizer());
        assertEquals(c.seed(), r.seed());
        assertEquals(3, r.epochsCompleted());
        assertEquals(42, r.steps());
        assertEquals(c.settings(), r.settings());
        assertEquals(c.parameters().keySet(), r.parameters().keySet());
        c.parameters().forEach((k, v) -> assertTrue(v.contentEquals(r.parameters().get(k)), k));
        c.optimizerState().forEach((k, v) -> assertTrue(v.contentEquals(r.optimizerState().get(k)), k));
    }

    @Test
    void layoutStartsWithMagicVersionAndFirstSection() {
        byte[] b = sample().toBytes();
        assertEquals("MNWCKPT", new String(b, 0, 7, StandardCharsets.US_ASCII));
        assertEquals(0, b[7]);
        assertEquals(Checkpoint.VERSION, ByteBuffer.wrap(b, 8, 4).getInt());
        assertEquals("PARM", new String(b, 12, 4, StandardCharsets.US_ASCII));
        assertEquals("END!", new String(b, b.length - 12, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void rejectsForeignOldAndDamagedFiles() throws IOException {
        byte[] good = sample().toBytes();
        Path p = dir.resolve("bad.ckpt");
        Files.write(p, "PK\u0003\u0004 not a checkpoint".getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(InvalidInputException.class, () -> Checkpoint.read(p));
        byte[] future = good.clone();
        future[11] = 9;
        assertThrows(InvalidInputException.class, () -> Checkpoint.fromBytes(future));
        for (int cut : new int[] {13, 40, good.length / 2, good.length - 1}) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(DataException.class, () -> Checkpoint.fromBytes(truncated), "cut at " + cut);
        }
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        DataException e = assertThrows(DataException.class, () -> Checkpoint.fromBytes(flipped));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Checkpoint.read(dir.resolve("missing.ckpt")));
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("a.ckpt");
        sample().write(p);
        Checkpoint c2 = new Checkpoint(Map.of(), "sgd", Map.of(), 1, 4, 50, "");
        c2.write(p);
        assertEquals(4, Checkpoint.read(p).epochsCompleted());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void restoreChecksNamesAndShapes() {
        Checkpoint c = sample();
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("fc.w", Tensor.zeros(Shape.of(2, 2)));
        model.put("fc.b", Tensor.zeros(Shape.of(2)));
        c.restoreInto(model);
        assertArrayEquals(c.parameters().get("fc.w").floats(), model.get("fc.w").floats());
        model.put("fc.b", Tensor.zeros(Shape.of(3)));
        assertThrows(InvalidInputException.class, () -> c.restoreInto(model));
        model.put("other", Tensor.zeros(Shape.of(3)));
        assertThrows(InvalidInputException.class, () -> c.restoreInto(Map.of("other", Tensor.zeros(Shape.of(1)))));
    }
}
