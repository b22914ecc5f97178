package dev.minnow.graph.pass;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;

/**
 * One step from Graph to Graph with a record of what it changed: batch-norm folding, fusion,
 * constant folding, pruning, inserting fake-quantize nodes. A pass edits through a
 * {@link GraphEditor}; {@link #run} gives it a copy, so the caller's graph is never changed,
 * and {@link Pipeline} copies once for a whole list of passes.
 */
public interface GraphPass {
    /** Short kebab-case name, used in records and recipes (e.g. "bn-folding"). */
    String name();

    /**
     * Whether the graph must validate before this pass runs (it reads inferred types, or should
     * not run on a graph that is broken). Passes that run while importing, before the graph can
     * validate (constant folding computes what a Reshape needs), say false.
     */
    default boolean needsValidGraph() {
        return true;
    }

    /** Edits the graph in place through the editor and says what changed. Need not validate. */
    PassRecord apply(GraphEditor editor);

    /** Runs the pass on a copy of input: the result is validated; input is left as it was. */
    default PassResult run(Graph input) {
        Graph g = input.copy();
        GraphEditor e = new GraphEditor(g);
        if (needsValidGraph() && !g.isValidated()) {
            e.commit();
        }
        PassRecord r = apply(e);
        return new PassResult(e.commit(), java.util.List.of(r));
    }
}
