"""Makes minnow-compress's golden k-means file: Lloyd's algorithm written in torch (float64),
with Deep Compression's linear and density-based centroid initializations, on the non-zero
values of a seeded, magnitude-pruned random weight (heavy-tailed, like trained weights).
KMeans1DTest runs Minnow's k-means on the same values and compares centroids and assignments.

Run from the repository root (PyTorch 1.13 from Debian's python3-torch):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/golden/kmeans_golden.py
Writes minnow-compress/src/test/resources/golden/kmeans-1d.bin, little-endian:
    magic b"MNKM", int32 version = 1, int32 n, float32 values[n],
    int32 cases, then per case: int32 init (0 = linear, 1 = density), int32 k,
    int32 iterations, float64 centroids[k], int32 assignments[n].
"""
import math
import struct
import torch

OUT = "minnow-compress/src/test/resources/golden/kmeans-1d.bin"


def linear_init(x, k):
    lo, hi = x.min(), x.max()
    return lo + (hi - lo) * torch.arange(k, dtype=torch.float64) / (k - 1)


def density_init(x, k):
    s, n = x.sort().values, x.numel()
    return torch.stack([s[min(n - 1, int(math.floor((i + 0.5) / k * n)))] for i in range(k)])


def kmeans(x, c, max_iterations=100):
    """Assign to the nearest centroid (argmin: first index on a tie); centroid = mean of its values."""
    c, a = c.clone(), None
    for it in range(1, max_iterations + 1):
        new = (x[:, None] - c[None, :]).abs().argmin(dim=1)
        if a is not None and torch.equal(new, a):
            return c, a, it
        a = new
        for j in range(c.numel()):
            members = a == j
            if members.any():
                c[j] = x[members].mean()
    return c, a, max_iterations


torch.manual_seed(14)
w = (torch.distributions.Laplace(0.0, 0.05).sample((3000,))).float()
w[w.abs() < w.abs().quantile(0.7)] = 0          # 70% pruned: only the non-zeros are clustered
values = w[w != 0]
x = values.double()
with open(OUT, "wb") as f:
    f.write(b"MNKM" + struct.pack("<ii", 1, values.numel()))
    f.write(struct.pack("<%df" % values.numel(), *values.tolist()))
    cases = [(0, 32, linear_init), (1, 16, density_init), (0, 64, linear_init)]
    f.write(struct.pack("<i", len(cases)))
    for init, k, make in cases:
        c, a, it = kmeans(x, make(x, k))
        f.write(struct.pack("<iii", init, k, it))
        f.write(struct.pack("<%dd" % k, *c.tolist()))
        f.write(struct.pack("<%di" % a.numel(), *a.tolist()))
        print("init", init, "k", k, "iterations", it)
