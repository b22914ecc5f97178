package dev.minnow.compress.recipe;

import dev.minnow.errors.ClosestNames;
import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a recipe from YAML and checks it before anything runs, so a typo fails in a second with
 * its line number, not an hour into a run:
 *
 * <pre>
 * name: deep-compression
 * description: Han et al. 2016, pruning, trained quantization and Huffman coding
 * steps:
 *   - prune: {granularity: weight, sparsity: 0.92, schedule: iterative, steps: 3, finetune-epochs: 2}
 *   - cluster: {bits-conv: 8, bits-fc: 6, init: linear, finetune-epochs: 2}
 *   - encode: {}
 * </pre>
 *
 * Each step is a mapping with one key, the step's kind ({@link StepKind}), whose value maps
 * settings to values (or is empty). YAML is composed into nodes (snakeyaml-engine) rather than
 * loaded into plain maps because nodes keep their line.
 */
public final class RecipeReader {
    private static final String BUILTIN = "/dev/minnow/compress/recipe/";
    /** The recipes that ship with Minnow, in the order `compress --list` shows them. */
    public static final List<String> BUILTINS = List.of("deep-compression", "int8-ptq", "prune-channels", "edge-int8");

    private RecipeReader() {
    }

    /** A built-in recipe by name, or a YAML file by path. */
    public static Recipe load(String nameOrPath) {
        if (BUILTINS.contains(nameOrPath)) {
            return builtin(nameOrPath);
        }
        Path p = Path.of(nameOrPath);
        try {
            return parse(Files.readString(p, StandardCharsets.UTF_8), p.toString());
        } catch (NoSuchFileException e) {
            List<String> near = ClosestNames.of(nameOrPath, BUILTINS, 2);
            throw new InvalidInputException("no recipe '" + nameOrPath + "': not a file and not a built-in recipe ("
                    + String.join(", ", BUILTINS) + ")" + (near.isEmpty() ? "" : "; did you mean " + near.get(0) + "?"));
        } catch (IOException e) {
            throw new InvalidInputException("cannot read recipe " + nameOrPath + ": " + e.getMessage(), e);
        }
    }

    public static Recipe builtin(String name) {
        try (InputStream in = RecipeReader.class.getResourceAsStream(BUILTIN + name + ".yaml")) {
            if (in == null) {
                throw new InvalidInputException("no built-in recipe '" + name + "'; the built-in recipes are "
                        + String.join(", ", BUILTINS));
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in recipe " + name);
        } catch (IOException e) {
            throw new IllegalStateException("built-in recipe " + name + " is unreadable", e);
        }
    }

    /** Parses and checks recipe text; source names it in error messages. */
    public static Recipe parse(String text, String source) {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new InvalidInputException(source + " line " + line + ": not valid YAML: " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new InvalidInputException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root.isEmpty() || !(root.get() instanceof MappingNode top)) {
            throw new InvalidInputException(source + ": a recipe is a mapping with keys name, description and steps");
        }
        String name = null;
        String description = "";
        List<StepSpec> steps = null;
        for (NodeTuple t : top.getValue()) {
            String key = scalar(t.getKeyNode(), source, "a key");
            switch (key) {
                case "name" -> name = scalar(t.getValueNode(), source, "the recipe's name");
                case "description" -> description = scalar(t.getValueNode(), source, "a description");
                case "steps" -> steps = steps(t.getValueNode(), source);
                default -> throw new InvalidInputException(source + " line " + line(t.getKeyNode()) + ": unknown key '"
                        + key + "'; a recipe has name, description and steps");
            }
        }
        if (steps == null || steps.isEmpty()) {
            throw new InvalidInputException(source + ": the recipe has no steps (a 'steps:' list of at least one step)");
        }
        return new Recipe(name == null ? source : name, description, steps, source);
    }

    private static List<StepSpec> steps(Node node, String source) {
        if (!(node instanceof SequenceNode seq)) {
            throw new InvalidInputException(source + " line " + line(node) + ": 'steps' must be a list (lines starting"
                    + " with '- ')");
        }
        List<StepSpec> steps = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof ScalarNode s) {
                steps.add(step(s.getValue(), null, line(item), source));
            } else if (item instanceof MappingNode m && m.getValue().size() == 1) {
                NodeTuple t = m.getValue().get(0);
                steps.add(step(scalar(t.getKeyNode(), source, "a step kind"), t.getValueNode(), line(item), source));
            } else {
                throw new InvalidInputException(source + " line " + line(item) + ": a step is one kind with its settings,"
                        + " such as '- prune: {sparsity: 0.9}'");
            }
        }
        return steps;
    }

    private static StepSpec step(String kindKey, Node settingsNode, int line, String source) {
        StepKind kind = StepKind.of(kindKey);
        if (kind == null) {
            List<String> near = ClosestNames.of(kindKey, StepKind.keys(), 1);
            throw new InvalidInputException(source + " line " + line + ": unknown step '" + kindKey + "'"
                    + (near.isEmpty() ? "" : "; did you mean " + near.get(0) + "?") + " Steps: "
                    + String.join(", ", StepKind.keys()));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        boolean empty = settingsNode == null || settingsNode instanceof ScalarNode s && s.getValue().isEmpty();
        if (!empty) {
            if (!(settingsNode instanceof MappingNode m)) {
                throw new InvalidInputException(source + " line " + line(settingsNode) + ": " + kind.key
                        + "'s settings must be a mapping such as {key: value}");
            }
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode(), source, "a setting name");
                StepKind.Setting setting = kind.settings().get(key);
                int at = line(t.getKeyNode());
                if (setting == null) {
                    List<String> near = ClosestNames.of(key, kind.settings().keySet(), 1);
                    throw new InvalidInputException(source + " line " + at + ": " + kind.key + ": unknown setting '" + key
                            + "'" + (near.isEmpty() ? "" : "; did you mean " + near.get(0) + "?")
                            + (kind.settings().isEmpty() ? " (it takes none)"
                                    : " Settings: " + String.join(", ", kind.settings().keySet())));
                }
                if (settings.containsKey(key)) {
                    throw new InvalidInputException(source + " line " + at + ": " + kind.key + ": '" + key + "' is set twice");
                }
                settings.put(key, value(setting, t.getValueNode(), kind, source));
            }
        }
        StepSpec spec = new StepSpec(kind, settings, line);
        if (kind == StepKind.DISTILL && !spec.has("teacher")) {
            throw spec.error(source, "name the teacher model: teacher: path/to/teacher.onnx");
        }
        if (kind == StepKind.PRUNE) {
            long targets = settings.keySet().stream().filter(k -> k.equals("sparsity") || k.startsWith("target-")).count();
            String g = spec.text("granularity", "weight");
            if (targets > 1) {
                throw spec.error(source, "give one of sparsity, target-macs and target-params, not " + targets);
            }
            if (targets == 0 && !g.equals("pattern") && !g.matches("\\d+:\\d+") && !spec.has("groups")) {
                throw spec.error(source, "say how much to prune: sparsity, target-macs or target-params");
            }
        }
        return spec;
    }

    private static Object value(StepKind.Setting s, Node node, StepKind kind, String source) {
        String where = source + " line " + line(node) + ": " + kind.key + ": " + s.name() + " must be ";
        if (s.type() == StepKind.Type.FRACTIONS) {
            if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                throw new InvalidInputException(where + s.type().description + " such as [0.5, 0.7, 0.9]");
            }
            List<Double> values = new ArrayList<>();
            for (Node n : seq.getValue()) {
                double v = number(n, where + s.type().description);
                if (!(v >= 0 && v < 1)) {
                    throw new InvalidInputException(where + s.type().description + ", got " + v);
                }
                values.add(v);
            }
            return List.copyOf(values);
        }
        if (s.type() == StepKind.Type.GROUP_FRACTIONS) {
            if (!(node instanceof MappingNode m) || m.getValue().isEmpty()) {
                throw new InvalidInputException(where + s.type().description);
            }
            Map<String, Double> groups = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                String group = scalar(t.getKeyNode(), source, "a channel group's name");
                double v = number(t.getValueNode(), where + s.type().description);
                if (!(v >= 0 && v <= 1)) {
                    throw new InvalidInputException(where + s.type().description + "; '" + group + "' got " + v);
                }
                groups.put(group, v);
            }
            return java.util.Collections.unmodifiableMap(groups);
        }
        String text = scalar(node, source, s.name() + "'s value");
        String expected = where + (s.type() == StepKind.Type.WORD ? "one of " + String.join(", ", s.words())
                : s.type().description) + ", got '" + text + "'";
        return switch (s.type()) {
            case TEXT -> text;
            case WORD -> {
                if (!s.words().contains(text)) {
                    throw new InvalidInputException(expected);
                }
                yield text;
            }
            case BOOL -> switch (text) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new InvalidInputException(expected);
            };
            case FRACTION, FRACTION_INCLUSIVE, POSITIVE -> {
                double v = number(node, expected);
                boolean ok = switch (s.type()) {
                    case FRACTION -> v >= 0 && v < 1;
                    case FRACTION_INCLUSIVE -> v >= 0 && v <= 1;
                    default -> v > 0 && Double.isFinite(v);
                };
                if (!ok) {
                    throw new InvalidInputException(expected);
                }
                yield v;
            }
            case POSITIVE_INT, COUNT, BITS -> {
                double v = number(node, expected);
                int min = s.type() == StepKind.Type.COUNT ? 0 : 1;
                int max = s.type() == StepKind.Type.BITS ? 16 : Integer.MAX_VALUE;
                if (v != Math.rint(v) || v < min || v > max) {
                    throw new InvalidInputException(expected);
                }
                yield (int) v;
            }
            case FRACTIONS, GROUP_FRACTIONS -> throw new IllegalStateException("handled above");
        };
    }

    private static double number(Node node, String expected) {
        if (node instanceof ScalarNode s) {
            try {
                return Double.parseDouble(s.getValue().trim());
            } catch (NumberFormatException e) {
                // falls through to the error naming what was expected
            }
        }
        throw new InvalidInputException(expected);
    }

    private static String scalar(Node node, String source, String what) {
        if (node instanceof ScalarNode s) {
            return s.getValue();
        }
        throw new InvalidInputException(source + " line " + line(node) + ": expected " + what + ", found a "
                + (node instanceof MappingNode ? "mapping" : "list"));
    }

    private static int line(Node n) {
        return n.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    }
}
