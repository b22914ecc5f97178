package dev.minnow.infer;

import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.kernels.ConvOptions;
import java.util.List;

/**
 * How an {@link InferenceExecutor} runs a graph, fixed when it is built. Every switch only
 * chooses among forms that compute the same result (comparisons, benchmarks, calibration).
 *
 * @param shiftedConv shifted-row convolutions where the unprepared conv forward applies them
 * @param channelLast prepared conv weights multiplied channel-last on small planes
 * @param directConv  the direct conv kernel for few input channels (a network's stem)
 * @param nhwcChains  1x1 -> depthwise -> 1x1 conv chains run channel-last between the 1x1 convs
 * @param rewrite     fold BatchNormalization, fuse QDQ groups and Conv/Add + activation before running
 * @param observer    sees every value the graph computes (null: none); an observed executor runs
 *                    the graph without rewrites, so every value of the source graph exists
 * @param providers   kernel providers tried before the ones found by ServiceLoader (tests, embedders)
 * @param sparse      whether layers with sparse constant weights run sparse kernels (docs/KERNELS.md, "Sparse runtime")
 */
public record ExecutionOptions(boolean shiftedConv, boolean channelLast, boolean directConv, boolean nhwcChains,
                               boolean rewrite, ValueObserver observer, List<KernelProvider> providers,
                               SparseMode sparse) {
    /** Everything on, no observer, no extra providers. */
    public static final ExecutionOptions DEFAULT = builder().build();

    public ExecutionOptions {
        providers = List.copyOf(providers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.shiftedConv = shiftedConv;
        b.channelLast = channelLast;
        b.directConv = directConv;
        b.nhwcChains = nhwcChains;
        b.rewrite = rewrite;
        b.observer = observer;
        b.providers = providers;
        b.sparse = sparse;
        return b;
    }

    /** The conv kernel forms these options allow. */
    public ConvOptions convOptions() {
        return new ConvOptions(shiftedConv, channelLast, directConv);
    }

    /**
     * The options the old -D switches spelled: -Dminnow.noShifted=true, -Dminnow.noChannelLast=true,
     * -Dminnow.noDirectConv=true, -Dminnow.nhwcChains=false, -Dminnow.sparse=auto|on|off. For the command line only; the
     * library itself never reads system properties for these.
     */
    public static ExecutionOptions fromSystemProperties() {
        return builder()
                .shiftedConv(!Boolean.getBoolean("minnow.noShifted"))
                .channelLast(!Boolean.getBoolean("minnow.noChannelLast"))
                .directConv(!Boolean.getBoolean("minnow.noDirectConv"))
                .nhwcChains(Boolean.parseBoolean(System.getProperty("minnow.nhwcChains", "true")))
                .sparse(SparseMode.parse(System.getProperty("minnow.sparse", "auto")))
                .build();
    }

    public static final class Builder {
        private boolean shiftedConv = true;
        private boolean channelLast = true;
        private boolean directConv = true;
        private boolean nhwcChains = true;
        private boolean rewrite = true;
        private ValueObserver observer;
        private List<KernelProvider> providers = List.of();
        private SparseMode sparse = SparseMode.AUTO;

        private Builder() {
        }

        public Builder shiftedConv(boolean on) {
            shiftedConv = on;
            return this;
        }

        public Builder channelLast(boolean on) {
            channelLast = on;
            return this;
        }

        public Builder directConv(boolean on) {
            directConv = on;
            return this;
        }

        public Builder nhwcChains(boolean on) {
            nhwcChains = on;
            return this;
        }

        public Builder rewrite(boolean on) {
            rewrite = on;
            return this;
        }

        public Builder observer(ValueObserver o) {
            observer = o;
            return this;
        }

        /** Adds a provider asked before the ServiceLoader ones of no higher priority. */
        public Builder provider(KernelProvider p) {
            List<KernelProvider> l = new java.util.ArrayList<>(providers);
            l.add(p);
            providers = List.copyOf(l);
            return this;
        }

        public Builder sparse(SparseMode mode) {
            sparse = java.util.Objects.requireNonNull(mode);
            return this;
        }

        public ExecutionOptions build() {
            return new ExecutionOptions(shiftedConv, channelLast, directConv, nhwcChains, rewrite, observer, providers, sparse);
        }
    }
}
