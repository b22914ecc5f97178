package dev.minnow.infer.spi;

/** How a 4-D activation's elements are stored; the tensor's shape always lists the dims in that order. */
public enum Layout {
    /** [N, C, H, W]: what every op and the caller see. */
    NCHW,
    /** [N, H, W, C]: only inside a channel-last conv chain (see dev.minnow.infer.NhwcChains). */
    NHWC
}
