package dev.minnow.kernels;

/**
 * Everything a 2-D convolution kernel needs to know about its shapes. Layouts are NCHW for
 * activations and [outChannels, inChannels/groups, kernelH, kernelW] for weights.
 */
public record ConvGeometry(int batch, int inChannels, int inH, int inW,
                           int outChannels, int outH, int outW,
                           int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW, int groups) {

    /** Builds the geometry and derives outH/outW from the input size and the other settings. */
    public static ConvGeometry of(int batch, int inChannels, int inH, int inW, int outChannels,
                                  int kernelH, int kernelW, int strideH, int strideW,
                                  int padTop, int padLeft, int padBottom, int padRight,
                                  int dilationH, int dilationW, int groups) {
        int outH = (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
        int outW = (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
        return new ConvGeometry(batch, inChannels, inH, inW, outChannels, outH, outW, kernelH, kernelW,
                strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups);
    }

    public int inChannelsPerGroup() {
        return inChannels / groups;
    }

    public int outChannelsPerGroup() {
        return outChannels / groups;
    }

    public int weightSize() {
        return outChannels * inChannelsPerGroup() * kernelH * kernelW;
    }

    public int inputSize() {
        return batch * inChannels * inH * inW;
    }

    public int outputSize() {
        return batch * outChannels * outH * outW;
    }

    /** Multiply-accumulates of one forward pass. */
    public long macs() {
        return (long) batch * outChannels * outH * outW * inChannelsPerGroup() * kernelH * kernelW;
    }
}
