package dev.minnow.compress.prune;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.graph.Graph;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.MaskConstraint;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainListener;
import dev.minnow.train.Trainer;
import dev.minnow.zoo.Zoo;
import java.util.function.Supplier;

/**
 * Fine-tuning after a compression step, as `minnow prune` and the recipe runner both do it:
 * Nesterov momentum 0.9 with a cosine schedule to 0, weight decay, masks held, optional random
 * crop and flip. One place so the command and a recipe's prune and finetune steps train alike.
 *
 * @param lr the learning rate, or null for {@link #defaultRate}
 * @param listener makes a listener per fit (a progress bar), or null
 */
public record FineTuning(Double lr, double weightDecay, int batchSize, boolean augment, long seed,
                         Supplier<TrainListener> listener) {
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;
    public static final int DEFAULT_BATCH_SIZE = 64;

    public FineTuning withLr(Double rate) {
        return new FineTuning(rate, weightDecay, batchSize, augment, seed, listener);
    }

    public FineTuning withBatchSize(int n) {
        return new FineTuning(lr, weightDecay, n, augment, seed, listener);
    }

    public FineTuning withAugment(boolean a) {
        return new FineTuning(lr, weightDecay, batchSize, a, seed, listener);
    }

    /** Batches of training data that calibrate re-inserted batch norms. */
    static final int BN_CALIBRATION_BATCHES = 8;

    /**
     * Trains {@code g} in place for {@code epochs} holding masks; {@code step} varies the seed. A
     * graph whose convolutions lost their batch norms to folding (an eval-mode export) trains with
     * them put back ({@link BatchNormReinsertion}) and folded out again afterwards, so it keeps its
     * structure and fine-tunes at the rate of a batch-norm network.
     */
    public void run(Graph g, MaskConstraint masks, int epochs, DatasetSplit split, int step) {
        if (epochs <= 0) {
            return;
        }
        if (foldedExport(g)) {
            Graph withBn = BatchNormReinsertion.insert(g, split.train(), split.normalization(), BN_CALIBRATION_BATCHES,
                    batchSize, seed + step);
            fit(withBn, masks, epochs, split, step);
            BatchNormReinsertion.foldBack(withBn, g);
            return;
        }
        fit(g, masks, epochs, split, step);
    }

    /**
     * Whether g looks like an export with batch norm folded away: convolutions with biases, no
     * batch norm, and not built by Minnow (a zoo LeNet-5 has no batch norm by design and
     * fine-tunes as it was trained).
     */
    static boolean foldedExport(Graph g) {
        return g.metadata().get("minnow.builder") == null
                && g.nodes().stream().noneMatch(n -> n.opType().equals("BatchNormalization"))
                && !BatchNormReinsertion.candidates(g).isEmpty();
    }

    /**
     * Structured sparsity learning before channel pruning: trains {@code g} in place for
     * {@code epochs} with a {@link GroupLasso} penalty of {@code strength} on every removable
     * channel class, driving whole coupled channels toward zero so that pruning by their norm
     * removes what training already gave up. Returns the sum of the class norms before and after.
     */
    public double[] sparsify(Graph g, double strength, int epochs, DatasetSplit split) {
        ChannelDependencies deps = ChannelDependencies.of(g);
        double before = GroupLasso.classNormSum(deps, g);
        if (epochs > 0) {
            fit(g, null, epochs, split, 0, new GroupLasso(deps, strength));
        }
        return new double[] {before, GroupLasso.classNormSum(ChannelDependencies.of(g), g)};
    }

    private void fit(Graph g, MaskConstraint masks, int epochs, DatasetSplit split, int step) {
        fit(g, masks, epochs, split, step, null);
    }

    private void fit(Graph g, MaskConstraint masks, int epochs, DatasetSplit split, int step,
                     dev.minnow.train.Regularizer regularizer) {
        double rate = lr != null ? lr : defaultRate(g);
        Trainer t = Trainer.of(g).epochs(epochs).batchSize(batchSize).seed(seed + step)
                .optimizer(Optimizers.momentum(rate, 0.9, true).weightDecay(weightDecay))
                .loss(Losses.crossEntropy()).schedule(LrSchedule.cosine(0)).maxLoss(1e3);
        if (regularizer != null) {
            t.regularizer(regularizer);
        }
        if (masks != null && !masks.masks().isEmpty()) {
            t.constraint(masks);
        }
        if (augment) {
            int size = split.train().sampleShape().dim(1);
            t.augment(Transform.compose(Transform.randomCrop(size, 4), Transform.horizontalFlip(0.5)));
        }
        TrainListener l = listener == null ? null : listener.get();
        if (l != null) {
            t.listener(l);
        }
        t.fit(split);
    }

    /** The fine-tune hook PruneRun calls after each pruning step, or null for no fine-tuning. */
    public PruneRun.FineTune forPruning(int epochs, DatasetSplit split) {
        return epochs <= 0 ? null : (graph, masks, step) -> run(graph, masks, epochs, split, step);
    }

    /**
     * A fifth of the training recipe's rate when the model records one (Minnow's zoo models: LeNet's
     * 0.05 gives 0.01, which recovers LeNet-300-100 where 0.001 does not); else 0.01 with batch
     * norm and 0.001 without (an export with batch norm folded into its convolutions diverged at 0.01;
     * {@link #run} now puts batch norm back into such convolutions, so 0.001 is left to graphs
     * without convolutions to normalize, e.g. fully connected ones).
     */
    public static double defaultRate(Graph g) {
        String recipe = g.metadata().get(Zoo.RECIPE_LR);
        if (recipe != null) {
            try {
                double r = Double.parseDouble(recipe.trim());
                if (r > 0 && Double.isFinite(r)) {
                    return r / 5;
                }
            } catch (NumberFormatException e) {
                // fall through to the structural default; train reports a bad recipe value
            }
        }
        boolean hasBn = g.nodes().stream().anyMatch(n -> n.opType().equals("BatchNormalization"));
        return hasBn ? 0.01 : 0.001;
    }
}
