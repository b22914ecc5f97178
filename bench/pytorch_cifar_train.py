#!/usr/bin/python3
"""ResNet-20 on the shared JPEG CIFAR-10 in PyTorch: the reference for Minnow's documented run.

Same data file (../shared/data/cifar10-jpeg.tgz, JPEG re-encoded, so below published CIFAR-10
numbers), same network as bench/pytorch_train.py (1x1-conv projection shortcuts), same recipe
as `minnow train --model resnet20 --dataset cifar10 --batch-size 128 --lr 0.1
--weight-decay 5e-4 --augment`: SGD with Nesterov momentum 0.9, 100 linear warm-up steps, then
cosine to 0 over all steps, random crop (zero padding 4) and horizontal flip, CIFAR mean/std.
Prints one JSON line per epoch (test top-1 on the 10,000 test images).
Run: /usr/bin/python3 bench/pytorch_cifar_train.py --epochs 30 --threads 2 [--data DIR/cifar10-jpeg.tgz]
"""
import argparse
import io
import json
import math
import os
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from pytorch_train import resnet20

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)


def load(path):
    """(train_x, train_y, test_x, test_y): uint8 NCHW arrays and int64 labels from the ImageFolder tgz."""
    split = {"train": ([], []), "test": ([], [])}
    with tarfile.open(path) as tar:
        for m in tar:
            parts = m.name.split("/")
            if not m.isfile() or len(parts) != 3 or parts[0] not in split or not parts[2].endswith(".jpg"):
                continue
            img = Image.open(io.BytesIO(tar.extractfile(m).read())).convert("RGB")
            split[parts[0]][0].append(np.asarray(img, dtype=np.uint8).transpose(2, 0, 1))
            split[parts[0]][1].append(CLASSES.index(parts[1]))
    out = []
    for name in ("train", "test"):
        xs, ys = split[name]
        out += [torch.from_numpy(np.stack(xs)), torch.tensor(ys, dtype=torch.int64)]
    return out


def augment(x, gen):
    """Random crop 32 from the zero-padded 40x40 image and horizontal flip with probability 1/2 (float NCHW in [0,1])."""
    n = x.shape[0]
    padded = torch.zeros(n, 3, 40, 40)
    padded[:, :, 4:36, 4:36] = x
    dx = torch.randint(0, 9, (n,), generator=gen)
    dy = torch.randint(0, 9, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop.flip(2) if flip[i] else crop
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "cifar10-jpeg.tgz"))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=5e-4)
    ap.add_argument("--warmup-steps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    t0 = time.time()
    train_x, train_y, test_x, test_y = load(a.data)
    print(json.dumps({"loaded": [list(train_x.shape), list(test_x.shape)], "seconds": round(time.time() - t0, 1)}),
          flush=True)
    test_in = (test_x.float() / 255 - MEAN) / STD
    net = resnet20()
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, nesterov=True, weight_decay=a.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    steps_per_epoch = math.ceil(len(train_y) / a.batch)
    total = steps_per_epoch * a.epochs
    step = 0
    for epoch in range(1, a.epochs + 1):
        net.train()
        order = torch.randperm(len(train_y), generator=gen)
        t0 = time.time()
        seen = 0
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * a.batch:(b + 1) * a.batch]
            x = (augment(train_x[idx].float() / 255, gen) - MEAN) / STD
            if step < a.warmup_steps:
                lr = a.lr * (step + 1) / a.warmup_steps
            else:
                lr = a.lr * 0.5 * (1 + math.cos(math.pi * (step - a.warmup_steps) / max(1, total - a.warmup_steps)))
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad()
            loss = loss_fn(net(x), train_y[idx])
            loss.backward()
            opt.step()
            step += 1
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
        train_seconds = time.time() - t0
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(test_y), 500):
                correct += (net(test_in[i:i + 500]).argmax(1) == test_y[i:i + 500]).sum().item()
        print(json.dumps({"epoch": epoch, "train_loss": round(loss_sum / seen, 4), "test_top1": correct / len(test_y),
                          "lr": lr, "train_images_per_second": round(seen / train_seconds, 1)}), flush=True)


if __name__ == "__main__":
    main()
