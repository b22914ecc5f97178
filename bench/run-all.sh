#!/usr/bin/env bash
# Side-by-side measurements for docs/BENCHMARKS.md: Minnow vs ONNX Runtime (inference, same
# process, alternating runs) and Minnow vs PyTorch (LeNet-5 training steps, same machine).
# Usage: bash bench/run-all.sh [THREADS]   (PyTorch from Debian's python3-torch is optional)
set -u
cd "$(dirname "$0")/.."
T=${1:-2}
SQZ=${MINNOW_MODELS:-$(cd .. && pwd)/shared/models}/squeezenet1.0-fp16.onnx
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads=$T"
for b in 1 16; do
  for m in lenet5 resnet20 resnet18 mobilenetv2 squeezenet1.1; do
    ./minnow bench "$m" --batch "$b" --threads "$T" --compare ort --seconds 5 --json 2>/dev/null | tail -1
  done
done
# the fp16 SqueezeNet (upcast to fp32 on load) takes a fixed batch of 1
./minnow bench "$SQZ" --batch 1 --threads "$T" --compare ort --seconds 5 --json 2>/dev/null | tail -1
# training steps, alternating Minnow and PyTorch (Debian's python3-torch, optional)
for round in 1 2; do
  for m in lenet5 resnet20; do
    b=64; s=300; [ "$m" = resnet20 ] && b=128 && s=20
    ./minnow bench "$m" --train --batch "$b" --threads "$T" --seconds 10 --json 2>/dev/null | tail -1
    if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
      /usr/bin/python3 bench/pytorch_train.py --model "$m" --threads "$T" --batch "$b" --steps "$s" --warmup 3
    fi
  done
done
