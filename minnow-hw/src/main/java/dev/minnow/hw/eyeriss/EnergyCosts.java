package dev.minnow.hw.eyeriss;

/**
 * Energy per access relative to one 16-bit MAC, from the Eyeriss ISCA 2016 paper (Table IV,
 * extracted from a commercial 65 nm process): register file 1x, PE-to-PE array (NoC) 2x,
 * global buffer 6x, DRAM 200x. A separate table from Horowitz's; never mixed with it.
 */
public record EnergyCosts(double mac, double rf, double array, double buffer, double dram) {
    public static EnergyCosts eyeriss() {
        return new EnergyCosts(1, 1, 2, 6, 200);
    }
}
