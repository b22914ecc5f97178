package dev.minnow.hw.energy;

import dev.minnow.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Energy of one inference (batch 1) of a model on a kind of hardware, split by memory level,
 * and the saving against a dense fp32 baseline factored into the compression's effects, each
 * switched on in turn in EIE's order (Han et al., ISCA 2016, Section II): architecture (a
 * distilled student has other layers), sparsity (zero weights neither stored nor multiplied),
 * weight bits (quantization; for hardware that decodes codebooks, the index bits of weight
 * sharing), DRAM to SRAM (the stored weights now fit on chip), zero activations. The factors
 * multiply to the whole saving; an effect the hardware cannot use has factor 1.
 *
 * <p>Counts: each weight layer's stored weights are read once (dense: every weight at its bits;
 * sparse storage: non-zeros at their bits plus the index bits); its input and output activations
 * are read and written once in SRAM; MACs are dense, or times the weight density when zero
 * weights are skipped, times the activation density when zero activations are. A MAC costs the
 * table's int8 figure when both operands are 8-bit, else its fp32 figure. Horowitz's per-64-bit
 * SRAM and DRAM figures are scaled to the bits moved.
 */
public final class CompressionEnergy {
    private CompressionEnergy() {
    }

    /** Energy in pJ by level. */
    public record Split(double computePj, double sramPj, double dramPj) {
        public double totalPj() {
            return computePj + sramPj + dramPj;
        }
    }

    /** One effect's factor: energy before it over energy after it. */
    public record Factor(String effect, double factor) {
    }

    /** A model against its baseline: its energy, the baseline's, and the factors between them. */
    public record Comparison(Split energy, Split baseline, List<Factor> factors, long storedWeightBytes,
                             boolean weightsOnChip) {
        public double saving() {
            return baseline.totalPj() / energy.totalPj();
        }
    }

    /** Which effects are on. */
    record Effects(boolean sparsity, boolean bits, boolean ownPlacement, boolean activations) {
    }

    public static Comparison compare(List<LayerWeights> model, List<LayerWeights> baseline, EnergyTarget hw,
                                     EnergyTable table, double activationDensity) {
        if (!(activationDensity > 0 && activationDensity <= 1)) {
            throw new InvalidInputException("the activation density must be in (0, 1], got " + activationDensity);
        }
        if (model.isEmpty() || baseline.isEmpty()) {
            throw new InvalidInputException("a model without stored weight layers (Conv, Gemm, MatMul) has no weight energy to compare");
        }
        boolean baseOnChip = storedBits(baseline, hw, new Effects(false, false, false, false)) / 8 <= hw.onChipKb() * 1024;
        Effects all = new Effects(true, true, true, true);
        boolean onChip = storedBits(model, hw, all) / 8 <= hw.onChipKb() * 1024;
        Split base = energy(baseline, hw, table, new Effects(false, false, false, false), baseOnChip, 1);
        Effects[] chain = {new Effects(false, false, false, false), new Effects(true, false, false, false),
                new Effects(true, true, false, false), new Effects(true, true, true, false), all};
        String[] names = {"architecture", "sparsity", "weight bits", "DRAM to SRAM", "zero activations"};
        List<Factor> factors = new ArrayList<>();
        double before = base.totalPj();
        Split last = null;
        for (int i = 0; i < chain.length; i++) {
            last = energy(model, hw, table, chain[i], chain[i].ownPlacement() ? onChip : baseOnChip,
                    chain[i].activations() ? activationDensity : 1);
            factors.add(new Factor(names[i], before / last.totalPj()));
            before = last.totalPj();
        }
        return new Comparison(last, base, factors, storedBits(model, hw, all) / 8, onChip);
    }

    static long storedBits(List<LayerWeights> layers, EnergyTarget hw, Effects fx) {
        long bits = 0;
        for (LayerWeights l : layers) {
            bits += layerBits(l, hw, fx);
        }
        return bits;
    }

    private static long layerBits(LayerWeights l, EnergyTarget hw, Effects fx) {
        boolean sparse = fx.sparsity() && hw.skipsZeroWeights() && l.nonZero() < l.weights();
        int wb = !fx.bits() ? 32 : hw.sharesWeights() ? l.sharedBits() : l.weightBits();
        long codebook = fx.bits() && hw.sharesWeights() && wb < l.weightBits() ? (long) l.distinct() * l.weightBits() : 0;
        return sparse ? l.nonZero() * (wb + hw.sparseIndexBits()) + codebook : l.weights() * wb + codebook;
    }

    static Split energy(List<LayerWeights> layers, EnergyTarget hw, EnergyTable t, Effects fx, boolean onChip,
                        double activationDensity) {
        double compute = 0;
        double sram = 0;
        double dram = 0;
        double sramBitPj = t.sramPj(hw.sramKb(), 64) / 64;
        double dramBitPj = t.dramPj(64) / 64;
        for (LayerWeights l : layers) {
            double macs = l.macs();
            if (fx.sparsity() && hw.skipsZeroWeights()) {
                macs *= l.density();
            }
            double a = fx.activations() && hw.skipsZeroActivations() ? activationDensity : 1;
            macs *= a;
            boolean int8 = fx.bits() && l.weightBits() <= 8 && l.activationBits() <= 8;
            compute += macs * t.macPj(int8 ? 8 : 32);
            double weightBits = layerBits(l, hw, fx) * (fx.activations() && hw.skipsColumnsOfZeroActivations() ? a : 1);
            if (onChip) {
                sram += weightBits * sramBitPj;
            } else {
                dram += weightBits * dramBitPj;
            }
            sram += (double) l.activationValues() * (fx.bits() ? l.activationBits() : 32) * sramBitPj;
        }
        return new Split(compute, sram, dram);
    }
}
