#!/usr/bin/env bash
# Minnow's own kernels, FP32 vs INT8 (QDQ) at batch 1, alternating in one sitting (docs/BENCHMARKS.md).
# Usage: tools/bench_int8_vs_fp32.sh THREADS FP32_MODEL INT8_MODEL [FP32_MODEL INT8_MODEL ...]
# Models are files or zoo names. OLD=/path/to/other/checkout/minnow also times each INT8 model once
# on that build (before/after comparisons).
set -euo pipefail
cd "$(dirname "$0")/.."
T=$1; shift
while [ $# -ge 2 ]; do
  fp32=$1; int8=$2; shift 2
  for round in 1 2; do
    echo "fp32 $(./minnow bench "$fp32" --batch 1 --threads "$T" --seconds 3 2>&1 | tail -1)"
    echo "int8 $(./minnow bench "$int8" --batch 1 --threads "$T" --seconds 3 2>&1 | tail -1)"
    if [ "$round" = 1 ] && [ -n "${OLD:-}" ]; then
      echo "int8-old $("$OLD" bench "$int8" --batch 1 --threads "$T" --seconds 3 2>&1 | tail -1)"
    fi
  done
done
