"""Makes minnow-compress's golden file for quantization observers: PyTorch 1.13's MinMaxObserver
(quint8, per-tensor affine), MovingAverageMinMaxObserver (quint8, averaging constant 0.01, fed in
batches), PerChannelMinMaxObserver (qint8, per-channel symmetric, axis 0, range -127..127 as
Minnow's narrow-range weights) and HistogramObserver (quint8, per-tensor affine; for comparison)
on seeded tensors.

Run from the repository root (PyTorch 1.13 from Debian's python3-torch):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/golden/torch_quant_golden.py
Writes minnow-compress/src/test/resources/golden/torch-quant-observers.bin, little-endian:
magic MNGQ, int32 version 1, int32 case count, then per case:
    int32 kind (0 minmax, 1 moving-average, 2 per-channel, 3 histogram)
    int32 rank, int32 dims[rank]; int32 batches (the tensor is fed as that many equal slices of axis 0)
    float32 values[prod(dims)]
    int32 channels; float32 scale[channels]; int32 zero_point[channels]
"""
import struct
import torch
from torch.ao.quantization.observer import (HistogramObserver, MinMaxObserver, MovingAverageMinMaxObserver,
                                            PerChannelMinMaxObserver)

OUT = "minnow-compress/src/test/resources/golden/torch-quant-observers.bin"


def tensors():
    g = torch.Generator().manual_seed(13)
    yield torch.randn(4, 3, 5, 5, generator=g) * 2 + 0.5
    yield torch.relu(torch.randn(8, 16, generator=g)) * 3
    x = torch.randn(2, 64, generator=g)
    x[0, 3] = 25.0  # an outlier
    yield x


def cases():
    for x in tensors():
        o = MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
        o(x)
        yield 0, x, 1, o.calculate_qparams()
        o = MovingAverageMinMaxObserver(averaging_constant=0.01, dtype=torch.quint8, qscheme=torch.per_tensor_affine)
        for part in torch.chunk(x, x.shape[0], dim=0):
            o(part)
        yield 1, x, x.shape[0], o.calculate_qparams()
        o = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                     quant_min=-127, quant_max=127)
        o(x)
        yield 2, x, 1, o.calculate_qparams()
        o = HistogramObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
        o(x)
        yield 3, x, 1, o.calculate_qparams()


def main():
    cs = list(cases())
    with open(OUT, "wb") as f:
        f.write(b"MNGQ")
        f.write(struct.pack("<ii", 1, len(cs)))
        for kind, x, batches, (scale, zp) in cs:
            f.write(struct.pack("<ii", kind, x.dim()))
            f.write(struct.pack("<%di" % x.dim(), *x.shape))
            f.write(struct.pack("<i", batches))
            v = x.contiguous().view(-1).tolist()
            f.write(struct.pack("<%df" % len(v), *v))
            s = scale.reshape(-1).tolist()
            z = zp.reshape(-1).tolist()
            f.write(struct.pack("<i", len(s)))
            f.write(struct.pack("<%df" % len(s), *s))
            f.write(struct.pack("<%di" % len(z), *[int(q) for q in z]))


if __name__ == "__main__":
    main()
