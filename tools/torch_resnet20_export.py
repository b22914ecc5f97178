"""Re-exports the committed ResNet-20 baseline through PyTorch, so that pruning and fine-tuning
can be run on a graph the way users bring it: PyTorch's module names, batch norm folded into the
convolutions by torch.onnx.export in eval mode, no Minnow metadata.

It rebuilds the CIFAR ResNet-20 (16/32/64 channels, three basic blocks per stage, 1x1 projection
shortcuts with batch norm where the shape changes) in PyTorch, copies the weights and batch-norm
statistics of models/resnet20-cifar10.onnx into it by name (every initializer must be used), and
exports. Check: `./minnow eval OUT.onnx --dataset cifar10 --mean ... --std ...` (the baseline's
preprocessing, see docs/PRUNING.md) gives the baseline's 87.05% top-1.

Run from the repository root (PyTorch 1.13 and ONNX 1.12 from Debian's python3-torch, python3-onnx):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/torch_resnet20_export.py OUT.onnx
"""
import sys
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.downsample is None else self.downsample(x)
        return torch.relu(y + s)


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        stages = []
        cin = 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = [Block(cin, cout, stride), Block(cout, cout, 1), Block(cout, cout, 1)]
            stages.append(nn.Sequential(*blocks))
            cin = cout
        self.layer1, self.layer2, self.layer3 = stages
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def onnx_name(torch_name):
    """Maps a PyTorch state-dict key to the Minnow zoo initializer name."""
    n = torch_name.replace("downsample.0", "downsample.conv1").replace("downsample.1", "downsample.bn1")
    n = n.replace("fc.", "fc1.")
    for a, b in ((".running_mean", ".mean"), (".running_var", ".var")):
        n = n.replace(a, b)
    if ".bn" in n or n.startswith("bn") or "downsample.bn" in n:
        n = n.replace(".weight", ".scale")
    return n


def main():
    out = sys.argv[1]
    src = onnx.load("models/resnet20-cifar10.onnx")
    init = {i.name: numpy_helper.to_array(i) for i in src.graph.initializer}
    model = ResNet20()
    state = model.state_dict()
    used = set()
    for k in state:
        if k.endswith("num_batches_tracked"):
            continue
        n = onnx_name(k)
        if n not in init:
            raise SystemExit("no initializer %s for %s" % (n, k))
        state[k] = torch.from_numpy(init[n].copy()).reshape(state[k].shape)
        used.add(n)
    left = set(init) - used
    if left:
        raise SystemExit("initializers not copied: %s" % sorted(left))
    model.load_state_dict(state)
    model.eval()
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(7))
    torch.onnx.export(model, x, out, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print("exported " + out)


if __name__ == "__main__":
    main()
