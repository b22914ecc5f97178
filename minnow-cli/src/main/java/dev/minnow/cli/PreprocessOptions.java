package dev.minnow.cli;

import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import picocli.CommandLine.Option;

/**
 * Input preprocessing options for models made elsewhere. Anything not given comes from the
 * model's metadata (Minnow's own keys, or Windows ML image keys), then from the model's input
 * (layout NHWC when the last axis holds the channels, uint8 input, fixed size -> resize), then
 * from the dataset's normalization.
 */
final class PreprocessOptions {
    @Option(names = "--scale", paramLabel = "S", description = "Multiply [0,1] pixels by S (255 for raw pixels).")
    Double scale;

    @Option(names = "--mean", paramLabel = "M[,M..]", description = "Subtract per channel after scaling.")
    String mean;

    @Option(names = "--std", paramLabel = "S[,S..]", description = "Divide per channel after the mean.")
    String std;

    @Option(names = "--channel-order", paramLabel = "rgb|bgr", description = "Channel order the model expects.")
    String channelOrder;

    @Option(names = "--layout", paramLabel = "nchw|nhwc", description = "Input layout the model expects.")
    String layout;

    @Option(names = "--resize", paramLabel = "PIXELS", description = "Resize images to PIXELS x PIXELS (bilinear).")
    Integer resize;

    @Option(names = "--input-type", paramLabel = "float|uint8", description = "Element type of the model's input.")
    String inputType;

    Preprocessing resolve(Graph g, Normalization datasetNormalization, int datasetSize) {
        Preprocessing base = Preprocessing.fromMetadata(g.metadata());
        Value in = g.inputs().getFirst();
        int[] d = in.type().shape().dims();
        boolean inputNhwc = d.length == 4 && (d[3] == 1 || d[3] == 3) && d[1] != 1 && d[1] != 3;
        boolean inputUint8 = in.type().dtype() == DType.UINT8;
        int h = d.length == 4 ? (inputNhwc ? d[1] : d[2]) : -1;
        int autoResize = h > 0 && h != datasetSize ? h : 0;
        if (base == null) {
            Preprocessing ds = Preprocessing.of(datasetNormalization);
            base = inputUint8
                    ? new Preprocessing(255, new double[] {0}, new double[] {1}, false, inputNhwc, autoResize, true)
                    : new Preprocessing(1, ds.mean(), ds.std(), false, inputNhwc, autoResize, false);
        }
        return new Preprocessing(
                scale != null ? scale : base.scale(),
                mean != null ? Preprocessing.parse(mean) : base.mean(),
                std != null ? Preprocessing.parse(std) : base.std(),
                channelOrder != null ? choice("--channel-order", channelOrder, "rgb", "bgr") : base.bgr(),
                layout != null ? choice("--layout", layout, "nchw", "nhwc") : base.nhwc() || inputNhwc,
                resize != null ? resize : base.resize() > 0 ? base.resize() : autoResize,
                inputType != null ? choice("--input-type", inputType, "float", "uint8") : base.uint8() || inputUint8);
    }

    /** True when value is the second choice. */
    private static boolean choice(String option, String value, String first, String second) {
        if (value.equalsIgnoreCase(first)) {
            return false;
        }
        if (value.equalsIgnoreCase(second)) {
            return true;
        }
        throw new InvalidInputException(option + " must be " + first + " or " + second + ", got '" + value + "'");
    }
}
