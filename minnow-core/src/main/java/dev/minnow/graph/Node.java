package dev.minnow.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One op application: input and output value names (an absent optional input is ""),
 * and the op instance that holds the parsed attributes.
 */
public final class Node {
    private final String name;
    private final String domain;
    private final Op op;
    private final List<String> inputs;
    private final List<String> outputs;

    /** A node in its op's own domain ({@link Op#domain()}). */
    public Node(String name, Op op, List<String> inputs, List<String> outputs) {
        this(name, op.domain(), op, inputs, outputs);
    }

    public Node(String name, String domain, Op op, List<String> inputs, List<String> outputs) {
        this.name = name;
        this.domain = OpRegistry.normalizeDomain(domain == null ? op.domain() : domain);
        this.op = op;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
    }

    public String name() {
        return name;
    }

    public String domain() {
        return domain;
    }

    public Op op() {
        return op;
    }

    public String opType() {
        return op.type();
    }

    public Attributes attributes() {
        return op.attributes();
    }

    public List<String> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<String> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public String output(int i) {
        return outputs.get(i);
    }

    /** A node like this one with another op (same wiring); used by graph rewrites. */
    public Node withOp(Op newOp) {
        // another kind of op brings its own domain (a fused dev.minnow op replacing a Conv)
        return new Node(name, newOp.type().equals(op.type()) ? domain : newOp.domain(), newOp, inputs, outputs);
    }

    public Node withInputs(List<String> newInputs) {
        return new Node(name, domain, op, newInputs, outputs);
    }

    @Override
    public String toString() {
        return name + ":" + op.type() + inputs + "->" + outputs;
    }
}
