package dev.minnow.graph.ops.signal;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/** Signal-processing ops: DFT and STFT, the mel filter bank and the Hann, Hamming and Blackman windows. */
public final class SignalOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register("DFT", a -> new Dft("DFT", a));
        r.register("STFT", a -> new Dft("STFT", a));
        r.register("MelWeightMatrix", MelWeightMatrix::new);
        for (String w : new String[] {"HannWindow", "HammingWindow", "BlackmanWindow"}) {
            r.register(w, a -> new SignalWindow(w, a));
        }
    }
}
