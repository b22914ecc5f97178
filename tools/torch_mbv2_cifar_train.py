"""Trains the CIFAR MobileNetV2 (the zoo's `mobilenetv2-cifar`: torchvision's mobilenet_v2 with
the stem conv and the first 24-channel block at stride 1) in PyTorch and exports it to ONNX, so
that post-training quantization can be measured on a converged MobileNetV2 the way users bring
one: PyTorch's names, batch norm folded by torch.onnx.export in eval mode, inputs normalized
with the CIFAR-10 mean and std below (pass them to minnow with --mean/--std).

Why PyTorch: Minnow trains this network at 50-100 images/s on the 2-core machine (10-15 minutes
an epoch), too slow to converge within one session; the quantization claims are about the
trained network, not about who trained it.

Data: ../shared/data/cifar10-jpeg.tgz (or $MINNOW_DATA/cifar10-jpeg.tgz), decoded once into
memory. SGD with Nesterov momentum 0.9, weight decay 4e-5 on weights (none on batch norm and
biases), cosine learning rate from --lr with one warm-up epoch, random crop (pad 4) and flip.
A checkpoint is written after every epoch (--ckpt) and the run resumes from it.

Run from the repository root (PyTorch 1.13, ONNX 1.12 from Debian):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/torch_mbv2_cifar_train.py \
        --epochs 12 --lr 0.1 --seed 1 --ckpt mbv2.ckpt --out mbv2-torch.onnx
"""
import argparse
import io
import math
import os
import sys
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_cifar(path):
    """Returns {split: (uint8 N x 32 x 32 x 3, int64 N)} from the ImageFolder-layout archive."""
    images = {"train": [], "test": []}
    labels = {"train": [], "test": []}
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith((".jpg", ".png")):
                continue
            parts = member.name.split("/")
            split, cls = parts[-3], parts[-2]
            if split not in images or cls not in CLASSES:
                continue
            data = tar.extractfile(member).read()
            img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.uint8)
            images[split].append(img)
            labels[split].append(CLASSES.index(cls))
    out = {}
    for split in images:
        if not images[split]:
            sys.exit(f"no {split} images in {path}: expected train/<class>/*.jpg and test/<class>/*.jpg")
        out[split] = (np.stack(images[split]), np.asarray(labels[split], dtype=np.int64))
    return out


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        layers = []
        if expansion != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True)]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
                   nn.ReLU6(inplace=True), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


class MobileNetV2Cifar(nn.Module):
    # expansion t, channels c, blocks n, stride s (torchvision's table)
    STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
              (6, 320, 1, 1))

    def __init__(self, classes=10):
        super().__init__()
        layers = [nn.Conv2d(3, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU6(inplace=True)]
        cin = 32
        for s, (t, c, n, stride) in enumerate(self.STAGES):
            for i in range(n):
                st = 1 if i > 0 or s == 1 else stride
                layers.append(InvertedResidual(cin, c, st, t))
                cin = c
        layers += [nn.Conv2d(cin, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.classifier(x)


def to_tensor(batch_uint8):
    x = torch.from_numpy(batch_uint8).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augment(batch_uint8, rng):
    n = batch_uint8.shape[0]
    padded = np.pad(batch_uint8, ((0, 0), (4, 4), (4, 4), (0, 0)))
    out = np.empty_like(batch_uint8)
    dx = rng.integers(0, 9, n)
    dy = rng.integers(0, 9, n)
    flip = rng.random(n) < 0.5
    for i in range(n):
        img = padded[i, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = img[:, ::-1] if flip[i] else img
    return out


def evaluate(model, images, labels, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            logits = model(to_tensor(images[i:i + batch]))
            correct += (logits.argmax(1).numpy() == labels[i:i + batch]).sum()
    return correct / len(images)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--weight-decay", type=float, default=4e-5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=None)
    p.add_argument("--ckpt", default="mbv2.ckpt")
    p.add_argument("--out", default="mbv2-torch.onnx")
    p.add_argument("--bench", type=int, default=0, help="time N training batches and exit")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data_dir = a.data or os.environ.get("MINNOW_DATA") or os.path.join("..", "shared", "data")
    t0 = time.time()
    data = load_cifar(os.path.join(data_dir, "cifar10-jpeg.tgz"))
    train_x, train_y = data["train"]
    test_x, test_y = data["test"]
    print(f"loaded {len(train_x)} train / {len(test_x)} test images in {time.time() - t0:.0f} s", flush=True)

    model = MobileNetV2Cifar()
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (decay if param.dim() > 1 else no_decay).append(param)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0}],
                          lr=a.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = len(train_x) // a.batch_size
    total = a.epochs * steps_per_epoch
    start_epoch = 0
    if os.path.exists(a.ckpt) and not a.bench:
        state = torch.load(a.ckpt)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        start_epoch = state["epoch"]
        print(f"resumed after epoch {start_epoch}", flush=True)

    def rate(step):
        warm = steps_per_epoch
        if step < warm:
            return a.lr * (step + 1) / warm
        return 0.5 * a.lr * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    for epoch in range(start_epoch, a.epochs):
        rng = np.random.default_rng(a.seed * 1000 + epoch)
        order = rng.permutation(len(train_x))
        model.train()
        t0 = time.time()
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            step = epoch * steps_per_epoch + b
            for g in opt.param_groups:
                g["lr"] = rate(step)
            idx = order[b * a.batch_size:(b + 1) * a.batch_size]
            x = to_tensor(augment(train_x[idx], rng))
            y = torch.from_numpy(train_y[idx])
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            if a.bench and b + 1 == a.bench:
                dt = time.time() - t0
                print(f"{a.bench * a.batch_size / dt:.1f} images/s training", flush=True)
                return
        seconds = time.time() - t0
        top1 = evaluate(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{a.epochs} train_loss {loss_sum / steps_per_epoch:.4f} test_top1 {top1:.4f} "
              f"{steps_per_epoch * a.batch_size / seconds:.0f} img/s {seconds:.0f} s", flush=True)
        tmp = a.ckpt + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1}, tmp)
        os.replace(tmp, a.ckpt)

    model.eval()
    tmp = a.out + ".tmp"
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), tmp, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    os.replace(tmp, a.out)
    print(f"test_top1 {evaluate(model, test_x, test_y):.4f} exported {a.out}", flush=True)


if __name__ == "__main__":
    main()
