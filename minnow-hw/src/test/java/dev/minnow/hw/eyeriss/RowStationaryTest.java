package dev.minnow.hw.eyeriss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The row-stationary model against Eyeriss's published AlexNet run (Chen et al., JSSC 2017,
 * Table V: batch 4, 12 x 14 PEs, 16-bit words), whose CONV shapes are the original two-group
 * AlexNet's at 227 x 227.
 */
class RowStationaryTest {
    static final List<ConvShape> ALEXNET = List.of(
            new ConvShape("CONV1", 3, 227, 227, 96, 11, 11, 4, 1),
            new ConvShape("CONV2", 48, 31, 31, 128, 5, 5, 1, 2),
            new ConvShape("CONV3", 256, 15, 15, 384, 3, 3, 1, 1),
            new ConvShape("CONV4", 192, 15, 15, 192, 3, 3, 1, 2),
            new ConvShape("CONV5", 192, 15, 15, 128, 3, 3, 1, 2));

    // JSSC 2017 Table V, per layer: active PEs, GMACs (batch 4), buffer and DRAM data access in MB
    static final int[] PAPER_ACTIVE_PES = {154, 135, 156, 156, 156};
    static final double[] PAPER_GMACS = {0.42, 0.90, 0.60, 0.45, 0.30};
    static final double[] PAPER_BUFFER_MB = {18.5, 77.6, 50.2, 37.4, 24.9};
    static final double[] PAPER_DRAM_MB = {5.0, 4.0, 3.0, 2.1, 1.3};

    @Test
    void alexNetMappingIsTheChips() {
        EyerissConfig cfg = EyerissConfig.chip();
        for (int i = 0; i < ALEXNET.size(); i++) {
            RowStationary.Result r = RowStationary.run(cfg, ALEXNET.get(i));
            assertEquals(PAPER_ACTIVE_PES[i], r.activePes(), ALEXNET.get(i).name());
            assertEquals(PAPER_GMACS[i], r.macs() / 1e9, 0.005, ALEXNET.get(i).name());
        }
    }

    @Test
    void alexNetTrafficAgainstTableV() {
        EyerissConfig cfg = EyerissConfig.chip();
        double dramMb = 0;
        double bufMb = 0;
        long macs = 0;
        double paperDram = 0;
        double paperBuf = 0;
        for (int i = 0; i < ALEXNET.size(); i++) {
            RowStationary.Result r = RowStationary.run(cfg, ALEXNET.get(i));
            double d = r.dramAccesses() * 2 / 1e6;
            double b = r.bufferAccesses() * 2 / 1e6;
            System.out.printf("%s active %d p %d q %d n %d Mb %d: buffer %.1f MB (paper %.1f), DRAM %.2f MB (paper %.1f)"
                            + " [ifmap %.2f filter %.2f ofmap %.2f]%n",
                    r.name(), r.activePes(), r.filtersPerPe(), r.channelsPerPe(), r.imagesPerTile(), r.filtersPerTile(),
                    b, PAPER_BUFFER_MB[i], d, PAPER_DRAM_MB[i], r.dramIfmapReads() * 2 / 1e6,
                    r.dramFilterReads() * 2 / 1e6, r.dramOfmapWrites() * 2 / 1e6);
            dramMb += d;
            bufMb += b;
            macs += r.macs();
            paperDram += PAPER_DRAM_MB[i];
            paperBuf += PAPER_BUFFER_MB[i];
        }
        double perMac = dramMb * 1e6 / 2 / macs;
        System.out.printf("total buffer %.1f MB (paper %.1f), DRAM %.2f MB (paper %.1f), %.5f DRAM accesses/MAC (paper 0.0029)%n",
                bufMb, paperBuf, dramMb, paperDram, perMac);
        // Buffer traffic in total within 25% (model 164 MB against 208.6); CONV1 and CONV2 within 10% each.
        assertEquals(1, bufMb / paperBuf, 0.25);
        for (int i = 0; i < 2; i++) {
            double b = RowStationary.run(cfg, ALEXNET.get(i)).bufferAccesses() * 2 / 1e6;
            assertEquals(1, b / PAPER_BUFFER_MB[i], 0.10, ALEXNET.get(i).name());
        }
        // DRAM: the model moves uncompressed words; the chip run-length codes ifmaps and ofmaps (CONV2-5 inputs
        // are 39-79% zeros), so the model must be above the paper but within 2x (it is 1.68x: 0.0049 against 0.0029).
        assertTrue(perMac > 0.0029 && perMac < 2 * 0.0029, "DRAM accesses per MAC " + perMac);
    }

    @Test
    void energyUsesTheNormalizedCosts() {
        RowStationary.Result r = RowStationary.run(EyerissConfig.chip(), ALEXNET.get(2));
        double[] b = r.energyBreakdown(EnergyCosts.eyeriss());
        assertEquals(r.macs(), b[0], 0);
        assertEquals(r.rfAccesses(), b[1], 0);
        assertEquals(2.0 * r.arrayAccesses(), b[2], 0);
        assertEquals(6.0 * r.bufferAccesses(), b[3], 0);
        assertEquals(200.0 * r.dramAccesses(), b[4], 0);
        assertEquals(b[0] + b[1] + b[2] + b[3] + b[4], r.energy(EnergyCosts.eyeriss()), 1e-6 * r.energy(EnergyCosts.eyeriss()));
    }

    @Test
    void badDescriptionsAreRefused() {
        assertThrows(InvalidInputException.class, () -> new EyerissConfig(0, 14, 224, 12, 24, 100, 16, 4));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> RowStationary.run(new EyerissConfig(12, 14, 224, 12, 24, 1, 16, 1), ALEXNET.get(0)));
        assertTrue(e.getMessage().contains("too small for one tile"), e.getMessage());
    }
}
