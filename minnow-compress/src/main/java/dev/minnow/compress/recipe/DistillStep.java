package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.FineTuning;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainListener;
import dev.minnow.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * distill: trains the current model with a teacher (Hinton KD: alpha * T^2 * KL(teacher/T ||
 * student/T) + (1 - alpha) * cross-entropy), as `minnow distill` does; pruning masks are held,
 * so distillation can be the fine-tuning of a pruned student.
 */
final class DistillStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        String teacherPath = spec.text("teacher", null);
        if (teacherPath == null) {
            throw spec.error(ctx.source(), "name the teacher model file: teacher: path/to/teacher.onnx");
        }
        Graph teacher;
        try {
            teacher = ctx.codec().reader().apply(Files.readAllBytes(Path.of(teacherPath)));
        } catch (IOException e) {
            throw spec.error(ctx.source(), "cannot read the teacher " + teacherPath + ": " + e.getMessage());
        }
        if (teacher.inputs().size() != 1) {
            throw new InvalidInputException("the teacher " + teacherPath + " must have one input");
        }
        double temperature = spec.number("temperature", 4);
        double alpha = spec.number("alpha", 0.9);
        int epochs = ctx.epochs(spec.integer("epochs", 1));
        Graph g = in.graph().copy();
        double lr = spec.has("lr") ? spec.number("lr") : FineTuning.defaultRate(g);
        var tuning = ctx.tuning();
        Trainer t = Trainer.of(g).teacher(teacher).epochs(epochs).batchSize(tuning.batchSize())
                .seed(tuning.seed() + ctx.index() * 1000L)
                .optimizer(Optimizers.momentum(lr, 0.9, true).weightDecay(tuning.weightDecay()))
                .loss(Losses.weighted(Losses.klDivergence(temperature), alpha, Losses.crossEntropy(), 1 - alpha))
                .schedule(LrSchedule.cosine(0)).maxLoss(1e3);
        if (!in.masks().masks().isEmpty()) {
            t.constraint(in.masks());
        }
        if (tuning.augment()) {
            int size = ctx.split().train().sampleShape().dim(1);
            t.augment(dev.minnow.data.Transform.compose(dev.minnow.data.Transform.randomCrop(size, 4),
                    dev.minnow.data.Transform.horizontalFlip(0.5)));
        }
        TrainListener l = tuning.listener() == null ? null : tuning.listener().get();
        if (l != null) {
            t.listener(l);
        }
        t.fit(ctx.split());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("teacher", teacherPath);
        d.put("temperature", temperature);
        d.put("alpha", alpha);
        d.put("epochs", epochs);
        d.put("lr", lr);
        return StepOutput.of(in.withGraph(g), d);
    }
}
