package dev.minnow.graph.pass;

import dev.minnow.graph.Graph;
import java.util.List;

/** A validated graph and the records of the passes that made it, in order. */
public record PassResult(Graph graph, List<PassRecord> records) {
    public PassResult {
        records = List.copyOf(records);
    }

    /** The record of the only (or last) pass. */
    public PassRecord record() {
        return records.get(records.size() - 1);
    }
}
