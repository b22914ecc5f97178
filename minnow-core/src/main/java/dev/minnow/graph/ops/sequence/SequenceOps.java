package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Sequence ops: the recurrent layers (RNN, GRU, LSTM; MACs per step and gate, docs/COST.md),
 * attention and its helpers (rotary embedding, KV-cache scatter, linear attention, causal
 * convolution with state), ReverseSequence and TfIdfVectorizer.
 */
public final class SequenceOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register("RNN", RnnOp::new);
        r.register("GRU", GruOp::new);
        r.register("LSTM", LstmOp::new);
        r.register("RotaryEmbedding", RotaryEmbedding::new);
        r.register("Attention", Attention::new);
        r.register("TensorScatter", TensorScatter::new);
        r.register("LinearAttention", LinearAttention::new);
        r.register("CausalConvWithState", CausalConvWithState::new);
        r.register("TfIdfVectorizer", TfIdfVectorizer::new);
        r.register("ReverseSequence", ReverseSequence::new);
    }
}
