package dev.minnow.hw.energy;

/**
 * What a kind of hardware can exploit of a compressed model, and how much weight storage it
 * keeps on chip. A model whose stored weights fit {@code onChipKb} reads them from SRAM of
 * {@code sramKb} (Horowitz's figure for that size), otherwise from DRAM.
 *
 * <ul>
 *   <li>cpu: dense kernels; 1 MB of on-chip cache taken as the weights' share (an L2).</li>
 *   <li>systolic: dense array; weights stay on chip only if they fit the 64 KB filter SRAM.</li>
 *   <li>eyeriss: dense weights, zero activations gated (no MAC energy); 108 KB buffer.</li>
 *   <li>eie: sparse CSC weights with 4-bit relative indices, shared weights read as codebook
 *       indices, zero activations skipped (their weight columns are not read); 128 KB of SRAM
 *       per PE (EIE, ISCA 2016).</li>
 * </ul>
 */
public record EnergyTarget(String name, boolean skipsZeroWeights, boolean sharesWeights, boolean skipsZeroActivations,
                           boolean skipsColumnsOfZeroActivations, long onChipKb, int sramKb, int sparseIndexBits) {

    public static EnergyTarget cpu() {
        return new EnergyTarget("cpu", false, false, false, false, 1024, 1024, 0);
    }

    public static EnergyTarget systolic(int filterSramKb) {
        return new EnergyTarget("systolic", false, false, false, false, filterSramKb, filterSramKb, 0);
    }

    public static EnergyTarget eyeriss() {
        return new EnergyTarget("eyeriss", false, false, true, false, 108, 108, 0);
    }

    public static EnergyTarget eie(int pes, int indexBits) {
        return new EnergyTarget("eie", true, true, true, true, 128L * pes, 128, indexBits);
    }
}
