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
# training steps, alternating Minnow and PyTorch over ROUNDS rounds (default 4). This machine sets
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which hold Debian's PyTorch to older BLAS kernels: the
# peer runs with both unset, for its own command only. PyTorch's speed is bimodal here, so the
# summary gives each side's spread and the ratio against the peer's better (max) mode.
ROUNDS=${ROUNDS:-4}
TRAIN_LOG=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for m in lenet5 resnet20; do
    b=64; s=300; [ "$m" = resnet20 ] && b=128 && s=20
    ./minnow bench "$m" --train --batch "$b" --threads "$T" --seconds 10 --json 2>/dev/null | tail -1 | tee -a "$TRAIN_LOG"
    if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_train.py --model "$m" --threads "$T" \
        --batch "$b" --steps "$s" --warmup 3 | tee -a "$TRAIN_LOG"
    fi
  done
done
python3 - "$TRAIN_LOG" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
for m in ("lenet5", "resnet20"):
    mn = [r["train_images_per_second"] for r in rows if r.get("model") == m and "framework" not in r]
    pt = [r["train_images_per_second"] for r in rows if r.get("model") == m and "framework" in r]
    if mn and pt:
        print(json.dumps({"summary": m, "minnow_min": round(min(mn)), "minnow_max": round(max(mn)),
                          "pytorch_min": round(min(pt)), "pytorch_max": round(max(pt)),
                          "ratio_vs_pytorch_best": round(max(mn) / max(pt), 2),
                          "ratio_median_vs_pytorch_best": round(sorted(mn)[len(mn) // 2] / max(pt), 2)}))
PY
rm -f "$TRAIN_LOG"
