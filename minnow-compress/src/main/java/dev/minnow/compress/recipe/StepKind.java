package dev.minnow.compress.recipe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The steps a recipe can name, each with the settings it accepts and their types. Setting names
 * are the CLI's option names without the dashes, so a step reads like the command it stands for
 * ({@code prune: {granularity: channel, target-macs: 0.5}} is {@code minnow prune
 * --granularity channel --target-macs 0.5}).
 */
public enum StepKind {
    SENSITIVITY("sensitivity", "per-layer accuracy at a range of sparsities",
            w("granularity", "weight", "channel"), s("sparsities", Type.FRACTIONS), s("samples", Type.POSITIVE_INT)),
    PRUNE("prune", "fine- or coarse-grained pruning with fine-tuning after each step",
            s("granularity", Type.TEXT), w("method", "magnitude", "l1", "l2", "bn-scale", "taylor", "reconstruction"),
            s("sparsity", Type.FRACTION), s("target-macs", Type.FRACTION), s("target-params", Type.FRACTION),
            w("schedule", "oneshot", "iterative", "agp"), s("steps", Type.POSITIVE_INT),
            s("round-to", Type.POSITIVE_INT), w("scope", "global", "layer"),
            s("finetune-epochs", Type.COUNT), s("lr", Type.POSITIVE), s("groups", Type.GROUP_FRACTIONS)),
    FINETUNE("finetune", "training of the current model (pruning masks held)",
            s("epochs", Type.POSITIVE_INT), s("lr", Type.POSITIVE), s("batch-size", Type.POSITIVE_INT),
            s("augment", Type.BOOL)),
    DISTILL("distill", "knowledge distillation from a teacher model into the current model",
            s("teacher", Type.TEXT), s("temperature", Type.POSITIVE), s("alpha", Type.FRACTION_INCLUSIVE),
            s("epochs", Type.POSITIVE_INT), s("lr", Type.POSITIVE)),
    QUANTIZE("quantize", "post-training quantization, calibrated, exported as ONNX QDQ",
            w("method", "minmax", "percentile", "entropy", "mse"), s("weight-bits", Type.BITS),
            s("act-bits", Type.BITS), s("per-channel", Type.BOOL), s("calib-samples", Type.POSITIVE_INT),
            s("adaround", Type.BOOL), s("cle", Type.BOOL), s("bias-correction", Type.BOOL)),
    QAT("qat", "quantization-aware training",
            w("method", "lsq", "pact", "dorefa", "minmax"), s("weight-bits", Type.BITS), s("act-bits", Type.BITS),
            s("epochs", Type.POSITIVE_INT), s("lr", Type.POSITIVE)),
    CLUSTER("cluster", "k-means weight sharing with centroid fine-tuning",
            s("bits-conv", Type.BITS), s("bits-fc", Type.BITS), w("init", "linear", "density", "random"),
            s("finetune-epochs", Type.COUNT), s("lr", Type.POSITIVE)),
    ENCODE("encode", "sparse formats and Huffman coding into a .mnz file"),
    EXPORT("export", "the current model as an ONNX file", s("name", Type.TEXT));

    /** A setting's value type; {@link #description} is what an error message says was expected. */
    public enum Type {
        FRACTION("a fraction in [0, 1)"),
        FRACTION_INCLUSIVE("a number in [0, 1]"),
        FRACTIONS("a list of fractions in [0, 1)"),
        GROUP_FRACTIONS("a mapping of channel groups to fractions in [0, 1] such as {layer1.1.conv1: 1, 'layer3.?.conv1': 0.5}"),
        POSITIVE("a number greater than 0"),
        POSITIVE_INT("a whole number of at least 1"),
        COUNT("a whole number of at least 0"),
        BITS("a bit width from 1 to 16"),
        BOOL("true or false"),
        TEXT("a text"),
        WORD("one of the listed words");

        public final String description;

        Type(String description) {
            this.description = description;
        }
    }

    /** One setting: its name, type and, for WORD, the words it accepts. */
    public record Setting(String name, Type type, List<String> words) {
    }

    private static Setting s(String name, Type type) {
        return new Setting(name, type, List.of());
    }

    private static Setting w(String name, String... words) {
        return new Setting(name, Type.WORD, List.of(words));
    }

    public final String key;
    public final String description;
    private final Map<String, Setting> settings = new LinkedHashMap<>();

    StepKind(String key, String description, Setting... settings) {
        this.key = key;
        this.description = description;
        for (Setting s : settings) {
            this.settings.put(s.name(), s);
        }
    }

    public Map<String, Setting> settings() {
        return settings;
    }

    /** The kind named key, or null. */
    public static StepKind of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst().orElse(null);
    }

    public static Set<String> keys() {
        return Arrays.stream(values()).map(k -> k.key).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
