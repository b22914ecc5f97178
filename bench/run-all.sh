#!/usr/bin/env bash
# Side-by-side measurements for docs/BENCHMARKS.md: Minnow vs ONNX Runtime (inference, same
# process, alternating runs) and Minnow vs PyTorch (LeNet-5 training steps, same machine).
# Usage: bash bench/run-all.sh [THREADS]   (PyTorch from Debian's python3-torch is optional)
set -u
cd "$(dirname "$0")/.."
T=${1:-2}
SQZ=${MINNOW_MODELS:-../shared/models}/squeezenet1.0-fp16.onnx
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), threads=$T"
for b in 1 16; do
  for m in lenet5 resnet20 resnet18 mobilenetv2 squeezenet1.1 "$SQZ"; do
    ./minnow bench "$m" --batch "$b" --threads "$T" --compare ort --seconds 5 --json 2>/dev/null | tail -1
  done
done
for m in lenet5 resnet20; do
  b=64; [ "$m" = resnet20 ] && b=128
  ./minnow bench "$m" --train --batch "$b" --threads "$T" --seconds 10 --json 2>/dev/null | tail -1
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 bench/pytorch_lenet5_train.py --threads "$T" --batch 64 --steps 300
fi
