package dev.minnow.hw.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.hw.CostReport;
import dev.minnow.hw.LayerCost;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roofline arithmetic on a fixed machine description (never a timed test). */
class RooflineTest {
    static final Machine M = new Machine("fixed", 2, 50, 100, 20, 16);

    @Test
    void roofsAndRidge() {
        Roofline all = Roofline.of(M, true);
        assertEquals(100, all.peakGflops());
        assertEquals(20, all.bandwidthGBs()); // the better streaming figure
        assertEquals(5, all.ridgeIntensity(), 1e-12);
        assertEquals(40, all.attainableGflops(2), 1e-12);
        assertEquals(100, all.attainableGflops(9), 1e-12);
        assertEquals(Roofline.Bound.MEMORY, all.bound(4.9));
        assertEquals(Roofline.Bound.COMPUTE, all.bound(5));
        assertEquals(2.5, Roofline.of(M, false).ridgeIntensity(), 1e-12);
        // 1e9 MACs and 1e8 bytes: 2e9 FLOPs / 100 GFLOP/s = 20 ms against 1e8 B / 20 GB/s = 5 ms
        assertEquals(0.020, all.predictedSeconds(1_000_000_000L, 100_000_000L), 1e-12);
        assertEquals(0.050, all.predictedSeconds(1_000L, 1_000_000_000L), 1e-12);
    }

    @Test
    void layersOfAModel() {
        CostReport r = CostReport.of(Zoo.build("lenet5", 1));
        Roofline rl = Roofline.of(M, true);
        var points = rl.place(r);
        LayerCost conv1 = r.layers().get(0);
        Roofline.Point p = points.get(0);
        assertEquals(conv1.name(), p.name());
        assertEquals(conv1.arithmeticIntensity(), p.intensity(), 1e-12);
        assertEquals(Math.min(100, 20 * p.intensity()), p.attainableGflops(), 1e-9);
        assertEquals(rl.predictedSeconds(conv1.macs(), conv1.bytesRead() + conv1.bytesWritten()), p.predictedSeconds(), 0);
        // a ReLU does no MACs: memory bound
        assertTrue(points.stream().filter(q -> q.macs() == 0).allMatch(q -> q.bound() == Roofline.Bound.MEMORY));
    }

    @Test
    void machineFileRoundTripsAndBadValuesNameTheField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.yaml");
        Files.writeString(f, M.toYaml());
        assertEquals(M, Machine.read(f));
        Files.writeString(f, M.toYaml().replace("read_gb_s: 20.0", "read_gb_s: -3"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Machine.read(f));
        assertTrue(e.getMessage().contains("read_gb_s"), e.getMessage());
        Files.writeString(f, M.toYaml().replace("cores: 2", "cores: 0"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Machine.read(f)).getMessage().contains("cores"));
        Files.writeString(f, M.toYaml() + "flops: 3\n");
        assertTrue(assertThrows(InvalidInputException.class, () -> Machine.read(f)).getMessage().contains("line 8"));
    }
}
