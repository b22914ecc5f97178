package dev.minnow.onnx;

import dev.minnow.graph.Attributes;
import java.util.ArrayList;
import java.util.List;

/** A node before its op is created (reading) or after it is taken apart (writing): plain, mutable wiring. */
final class NodeSpec {
    final String name;
    String type;
    final String domain;
    Attributes attrs;
    final List<String> inputs;
    final List<String> outputs;
    int opset;

    NodeSpec(String name, String type, String domain, Attributes attrs, List<String> inputs, List<String> outputs, int opset) {
        this.name = name;
        this.type = type;
        this.domain = domain;
        this.attrs = attrs;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
        this.opset = opset;
    }

    String where() {
        return "node '" + name + "' (" + type + ", opset " + opset + ")";
    }

    /** Sets input i, padding absent optional inputs with "". */
    void setInput(int i, String value) {
        while (inputs.size() <= i) {
            inputs.add("");
        }
        inputs.set(i, value);
    }

    String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** Attributes without one key (Attributes has no remove). */
    void removeAttr(String key) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(attrs.asMap());
        m.remove(key);
        attrs = new Attributes(m);
    }
}
