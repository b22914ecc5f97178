"""Makes minnow-compress's golden PyTorch-exported ResNet: a CIFAR ResNet-8 (one basic block per
stage, 16/32/64 channels, option-B 1x1 projection shortcuts) with seeded random weights and
batch-norm statistics, exported by torch.onnx in eval mode (so batch norm arrives folded into the
convolutions, with PyTorch's node names), plus one input and PyTorch's output for it.

Run from the repository root (PyTorch 1.13 from Debian's python3-torch):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/golden/torch_resnet_export.py
Writes minnow-compress/src/test/resources/golden/torch-resnet8.onnx and torch-resnet8-io.bin
(magic MNGL, version 1, then int32 count and float32 values of the input [2,3,32,32], then the
same for the output [2,10]; little-endian).
"""
import struct
import torch
import torch.nn as nn

OUT = "minnow-compress/src/test/resources/golden/"


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = Block(16, 16, 1)
        self.layer2 = Block(16, 32, 2)
        self.layer3 = Block(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def write(f, t):
    a = t.detach().contiguous().view(-1).tolist()
    f.write(struct.pack("<i", len(a)))
    f.write(struct.pack("<%df" % len(a), *a))


def main():
    torch.manual_seed(20)
    m = ResNet8()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.normal_(0, 0.2)
            mod.running_mean.normal_(0, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
    m.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        y = m(x)
    torch.onnx.export(m, x, OUT + "torch-resnet8.onnx", opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    with open(OUT + "torch-resnet8-io.bin", "wb") as f:
        f.write(b"MNGL")
        f.write(struct.pack("<i", 1))
        write(f, x)
        write(f, y)


if __name__ == "__main__":
    main()
