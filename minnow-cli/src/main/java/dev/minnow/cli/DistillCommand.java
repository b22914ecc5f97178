package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a student model with a teacher (knowledge distillation, Hinton et al. 2015): the loss is",
                "alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * cross-entropy on the labels,",
                "with the teacher run on the same (augmented) batch. --hint adds a FitNets hint: the mean squared",
                "distance between a teacher activation and a student activation mapped by a learned 1x1 convolution",
                "(the adapter exists only while training; the saved student does not have it).",
                "Every option of `minnow train` applies to the student (--epochs, --lr, --augment, --seed, --out, ...)."},
        footer = {"", "Examples:",
                "  minnow distill --teacher models/resnet20-cifar10.onnx --student resnet8 --dataset cifar10 \\",
                "      --temperature 4 --alpha 0.9 --epochs 10 --augment --out r8-kd.onnx",
                "  minnow distill --teacher lenet5.onnx --student lenet-300-100 --dataset mnist --epochs 2 \\",
                "      --hint layer1.relu:fc1.relu --out mlp-kd.onnx",
                "", "Compare with the student trained alone: the same command with `minnow train --model STUDENT`."})
final class DistillCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--teacher", required = true, paramLabel = "MODEL", description = "The trained teacher (.onnx, .mnz or zoo name).")
    String teacher;

    @Option(names = "--student", required = true, paramLabel = "MODEL", description = "The student: a zoo name (fresh weights) or a model file.")
    String student;

    @Option(names = "--temperature", defaultValue = "4", description = "Softmax temperature T of the soft targets (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--alpha", defaultValue = "0.9", description = "Weight of the soft-target term; 1 - alpha goes to the labels (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--hint", paramLabel = "TEACHER_VALUE:STUDENT_VALUE",
            description = "A FitNets hint from a teacher value to a student value of the same height and width (repeatable; see `minnow info MODEL --values`).")
    List<String> hints = new ArrayList<>();

    @Option(names = "--hint-weight", defaultValue = "1", description = "Weight of each hint term (default: ${DEFAULT-VALUE}).")
    double hintWeight;

    @Unmatched
    List<String> trainOptions = new ArrayList<>();

    @Override
    public Integer call() {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new InvalidInputException("--temperature must be a positive number, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new InvalidInputException("--alpha must be in [0, 1], got " + alpha);
        }
        if (!(hintWeight > 0)) {
            throw new InvalidInputException("--hint-weight must be positive, got " + hintWeight);
        }
        List<String[]> pairs = new ArrayList<>();
        for (String h : hints) {
            String[] p = h.split(":", -1);
            if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                throw new InvalidInputException("--hint takes TEACHER_VALUE:STUDENT_VALUE, got '" + h + "'");
            }
            pairs.add(p);
        }
        TrainCommand train = new TrainCommand();
        List<String> args = new ArrayList<>(List.of("--model", student));
        args.addAll(trainOptions);
        try {
            new CommandLine(train).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage() + " (distill takes the options of `minnow train`; see"
                    + " `minnow distill --help` and `minnow train --help`)");
        }
        train.common = common;
        common.apply();
        Graph t = Models.load(teacher, 1);
        if (t.inputs().size() != 1 || t.outputs().isEmpty()) {
            throw new InvalidInputException("teacher " + teacher + " must have one input and an output of class scores");
        }
        for (String[] p : pairs) {
            requireValue(t, p[0], "teacher");
        }
        train.distillation = new TrainCommand.Distillation(t, teacher, temperature, alpha, pairs, hintWeight);
        TrainCommand.Run r = train.run();
        Map<String, Object> j = r.json();
        common.emit(j, r.human());
        return 0;
    }

    private static void requireValue(Graph g, String value, String role) {
        Map<String, TensorType> types = g.types();
        if (!types.containsKey(value)) {
            List<String> near = dev.minnow.errors.ClosestNames.of(value, types.keySet(), 3);
            throw new InvalidInputException("the " + role + " has no value '" + value + "'"
                    + (near.isEmpty() ? "" : "; closest: " + String.join(", ", near))
                    + " (`minnow info MODEL` lists the layers)");
        }
    }
}
