package dev.minnow.hw.energy;

/**
 * Energy per operation and per access, in picojoules, with its source. Never mixed: a report
 * uses one table throughout.
 *
 * <p>{@link #horowitz45nm()}: M. Horowitz, "Computing's energy problem (and what we can do about
 * it)", ISSCC 2014, 45 nm, 0.9 V: 32-bit float multiply 3.7 pJ and add 0.9 pJ; 8-bit integer
 * multiply 0.2 pJ and add 0.03 pJ; a 64-bit read from an 8 KB / 32 KB / 1 MB SRAM 10 / 20 /
 * 100 pJ; a 64-bit DRAM access 1.3-2.6 nJ (the low end is taken). Per 32-bit word: half of the
 * 64-bit figures; per 8-bit word: an eighth.
 */
public record EnergyTable(String name, String source, double fp32MacPj, double int8MacPj, double sram8kPj64,
                          double sram32kPj64, double sram1mPj64, double dramPj64) {

    public static EnergyTable horowitz45nm() {
        return new EnergyTable("horowitz-45nm", "Horowitz, ISSCC 2014 (45 nm)", 3.7 + 0.9, 0.2 + 0.03, 10, 20, 100, 1300);
    }

    /** Energy of one multiply-accumulate at this many bits per operand (32: float, 8: integer). */
    public double macPj(int bits) {
        return bits >= 16 ? fp32MacPj : int8MacPj;
    }

    /**
     * One access of a {@code bits}-wide word in an SRAM of {@code kiloBytes}: the 64-bit figure of
     * the nearest size at or above it (8 KB, 32 KB, 1 MB), scaled by bits / 64.
     */
    public double sramPj(int kiloBytes, int bits) {
        double per64 = kiloBytes <= 8 ? sram8kPj64 : kiloBytes <= 32 ? sram32kPj64 : sram1mPj64;
        return per64 * bits / 64.0;
    }

    /** One DRAM access of a {@code bits}-wide word. */
    public double dramPj(int bits) {
        return dramPj64 * bits / 64.0;
    }
}
