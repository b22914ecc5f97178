package dev.minnow.graph.pass;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes run one after another on one copy of the input graph; the graph is validated before
 * each pass that {@linkplain GraphPass#needsValidGraph needs it} (so it reads fresh types) and
 * at the end, and the records are kept in order.
 */
public final class Pipeline implements GraphPass {
    private final List<GraphPass> passes;

    private Pipeline(List<GraphPass> passes) {
        this.passes = List.copyOf(passes);
    }

    public static Pipeline of(GraphPass... passes) {
        return new Pipeline(List.of(passes));
    }

    public static Pipeline of(List<GraphPass> passes) {
        return new Pipeline(passes);
    }

    public List<GraphPass> passes() {
        return passes;
    }

    @Override
    public String name() {
        return "pipeline";
    }

    /** Runs every pass on the editor's graph in place; returns a record summing their counts. */
    @Override
    public PassRecord apply(GraphEditor editor) {
        PassRecord.Builder b = PassRecord.of(name());
        for (PassRecord r : applyAll(editor)) {
            b.change(r.pass() + ": " + r.counts());
            r.counts().forEach((k, v) -> b.count(r.pass() + "." + k, v.longValue()));
        }
        return b.build();
    }

    /** A pipeline needs a valid graph when its first pass does (later ones are validated for). */
    @Override
    public boolean needsValidGraph() {
        return !passes.isEmpty() && passes.get(0).needsValidGraph();
    }

    /**
     * Runs every pass in place, validating before each pass that needs a valid graph (when an
     * edit made it stale); returns their records. The graph is not validated after the last pass.
     */
    public List<PassRecord> applyAll(GraphEditor editor) {
        List<PassRecord> records = new ArrayList<>();
        for (GraphPass p : passes) {
            if (p.needsValidGraph() && !editor.graph().isValidated()) {
                editor.commit();
            }
            records.add(p.apply(editor));
        }
        return records;
    }

    @Override
    public PassResult run(Graph input) {
        Graph g = input.copy();
        GraphEditor e = new GraphEditor(g);
        List<PassRecord> records = applyAll(e);
        return new PassResult(e.commit(), records);
    }
}
