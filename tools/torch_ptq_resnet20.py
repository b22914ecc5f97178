"""PyTorch 1.13's eager-mode post-training static quantization of the committed ResNet-20 baseline,
the reference number for docs/QUANTIZATION.md (issue 13: "aim to beat PyTorch's fbgemm PTQ").

It rebuilds models/resnet20-cifar10.onnx in PyTorch (the module and weight copy of
tools/torch_resnet20_export.py), fuses Conv+BN(+ReLU), and quantizes with PyTorch's default
qconfigs: 'fbgemm' (HistogramObserver uint8 activations with reduce_range, PerChannelMinMaxObserver
int8 symmetric weights) and 'onednn' (the same without reduce_range). Debian's python3-torch has no
fbgemm engine (supported: qnnpack, onednn), so both run on the onednn x86 engine; the observers,
hence the scales, are those of the qconfig. Calibration: 512 CIFAR-10 training images drawn with
numpy's RandomState(SEED) (not the same 512 images as Minnow's seeded choice); evaluation: the
10,000 test images of the JPEG archive, decoded by PIL, /255, the baseline's mean and std.

Run from the repository root:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/torch_ptq_resnet20.py \
        ../shared/data/cifar10-jpeg.tgz [SEED]
"""
import io
import os
import sys
import tarfile

import numpy as np
import torch
import torch.nn as nn
import torch.ao.quantization as tq
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_resnet20_export as base  # noqa: E402

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.2470, 0.2435, 0.2616], np.float32).reshape(1, 3, 1, 1)


class QBlock(nn.Module):
    """base.Block with module ReLUs and a FloatFunctional add, as eager-mode quantization needs."""

    def __init__(self, b):
        super().__init__()
        self.conv1, self.bn1, self.relu1 = b.conv1, b.bn1, nn.ReLU()
        self.conv2, self.bn2 = b.conv2, b.bn2
        self.downsample = b.downsample
        self.add_relu = nn.quantized.FloatFunctional()

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.downsample is None else self.downsample(x)
        return self.add_relu.add_relu(y, s)


class QResNet20(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv1, self.bn1, self.relu = m.conv1, m.bn1, nn.ReLU()
        self.layer1 = nn.Sequential(*[QBlock(b) for b in m.layer1])
        self.layer2 = nn.Sequential(*[QBlock(b) for b in m.layer2])
        self.layer3 = nn.Sequential(*[QBlock(b) for b in m.layer3])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = m.fc

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(self.quant(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.dequant(self.fc(torch.flatten(self.pool(x), 1)))

    def fuse(self):
        tq.fuse_modules(self, [["conv1", "bn1", "relu"]], inplace=True)
        for layer in (self.layer1, self.layer2, self.layer3):
            for b in layer:
                tq.fuse_modules(b, [["conv1", "bn1", "relu1"], ["conv2", "bn2"]], inplace=True)
                if b.downsample is not None:
                    tq.fuse_modules(b.downsample, [["0", "1"]], inplace=True)


def float_model():
    """base.main's weight copy without the export."""
    import onnx
    from onnx import numpy_helper
    src = onnx.load("models/resnet20-cifar10.onnx")
    init = {i.name: numpy_helper.to_array(i) for i in src.graph.initializer}
    model = base.ResNet20()
    state = model.state_dict()
    for k in state:
        if not k.endswith("num_batches_tracked"):
            state[k] = torch.from_numpy(init[base.onnx_name(k)].copy()).reshape(state[k].shape)
    model.load_state_dict(state)
    return model.eval()


def load(tgz, seed):
    """Test images and labels in archive order, and 512 seeded training images."""
    test_x, test_y, train = [], [], []
    with tarfile.open(tgz) as t:
        members = [m for m in t.getmembers() if m.name.endswith(".jpg")]
        train_members = sorted((m for m in members if m.name.startswith("train/")), key=lambda m: m.name)
        chosen = set(m.name for m in np.random.RandomState(seed).choice(train_members, 512, replace=False))
        for m in sorted(members, key=lambda m: m.name):
            split, cls = m.name.split("/")[:2]
            if split == "test" or m.name in chosen:
                img = np.asarray(Image.open(io.BytesIO(t.extractfile(m).read())).convert("RGB"), np.float32)
                x = img.transpose(2, 0, 1) / 255.0
                if split == "test":
                    test_x.append(x)
                    test_y.append(CLASSES.index(cls))
                else:
                    train.append(x)
    norm = lambda a: torch.from_numpy((np.stack(a) - MEAN) / STD)
    return norm(test_x), torch.tensor(test_y), norm(train)


def top1(model, x, y):
    with torch.no_grad():
        hits = sum((model(x[i:i + 500]).argmax(1) == y[i:i + 500]).sum().item() for i in range(0, len(x), 500))
    return hits / len(x)


def main():
    tgz = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    torch.manual_seed(seed)
    torch.backends.quantized.engine = "onednn"
    test_x, test_y, calib = load(tgz, seed)
    print("test images %d, calibration images %d" % (len(test_x), len(calib)))
    print("float top-1 %.4f" % top1(float_model(), test_x, test_y))
    for qconfig in ("fbgemm", "onednn"):
        q = QResNet20(float_model()).eval()
        q.fuse()
        q.qconfig = tq.get_default_qconfig(qconfig)
        tq.prepare(q, inplace=True)
        with torch.no_grad():
            for i in range(0, len(calib), 32):
                q(calib[i:i + 32])
        tq.convert(q, inplace=True)
        print("int8 (qconfig %s, engine onednn) top-1 %.4f" % (qconfig, top1(q, test_x, test_y)))


if __name__ == "__main__":
    main()
