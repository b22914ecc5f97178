package dev.minnow.compress.quant.qat;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Optimizers;
import dev.minnow.train.ParameterGroup;
import dev.minnow.train.TrainListener;
import dev.minnow.train.Trainer;
import java.util.List;

/**
 * One quantization-aware training run, as `minnow qat` and the recipe's qat step do it: fake
 * quantizers inserted and calibrated ({@link QatPrepare}), the weights, steps and clips trained
 * (steps and clips without weight decay, kept positive by {@link QatConstraint}), then exported
 * as an ONNX QDQ graph ({@link QatExport}).
 */
public record QatTraining(QatConfig config, int epochs, double lr, double weightDecay, int batchSize, boolean augment,
                          long seed) {

    /**
     * The default rate: fine-tuning's ({@link dev.minnow.compress.prune.FineTuning#defaultRate}),
     * a tenth of it when the graph has batch norm, because {@link QatPrepare} folds it away and a
     * folded network trains like one without (ResNet-20's edge-int8 recipe at 0.01 fell to 10%
     * top-1 in one epoch; 0.001 is the rate folded graphs fine-tune at).
     */
    public static double defaultRate(Graph g) {
        boolean bn = g.nodes().stream().anyMatch(n -> n.opType().equals("BatchNormalization"));
        return dev.minnow.compress.prune.FineTuning.defaultRate(g) / (bn ? 10 : 1);
    }

    /** listener may be null. */
    public QatExport.Exported run(Graph g, List<Tensor> calibration, DatasetSplit split, TrainListener listener) {
        QatPrepare.Result prepared = QatPrepare.prepare(g, config, calibration);
        Graph qat = prepared.graph();
        List<String> learnable = prepared.learnable();
        if (epochs > 0) {
            Trainer t = Trainer.of(qat).learnable(learnable.toArray(String[]::new))
                    .group(ParameterGroup.named("quantizer steps and clips", learnable.toArray(String[]::new)).decayScale(0))
                    .constraint(new QatConstraint(qat)).epochs(epochs).batchSize(batchSize).seed(seed)
                    .optimizer(Optimizers.momentum(lr, 0.9, true).weightDecay(weightDecay))
                    .loss(Losses.crossEntropy()).schedule(LrSchedule.cosine(0)).maxLoss(1e3);
            if (augment) {
                int size = split.train().sampleShape().dim(1);
                t.augment(Transform.compose(Transform.randomCrop(size, 4), Transform.horizontalFlip(0.5)));
            }
            if (listener != null) {
                t.listener(listener);
            }
            t.fit(split);
        }
        return QatExport.export(qat);
    }
}
