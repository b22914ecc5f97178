#!/usr/bin/env bash
# Regenerates the SCALE-Sim v3 golden reports that SystolicArrayGoldenTest compares against.
#
# SCALE-Sim is not copied into this repository: the script runs it from a checkout of
#   https://github.com/scalesim-project/scale-sim-v3  at commit fab89b777d7363550b7560ff615a11f888db46b9
# given as SCALESIM_DIR (cloned into a temporary directory when unset).
# Needs python3 with numpy, pandas, tqdm and absl (Debian: python3-numpy python3-pandas python3-tqdm python3-absl).
#
# For every *.cfg and every topology *.csv under minnow-hw/src/test/resources/golden/scalesim
# (layers.csv: chosen cases; random.csv: random shapes, made once with Python's random.Random(15))
# it keeps COMPUTE_REPORT.csv and DETAILED_ACCESS_REPORT.csv in <cfg name>/<topology name>/.
# Topologies under big/ (AlexNet's first two layers at full size, about two minutes of SCALE-Sim)
# run with ws_32x32.cfg only.
set -euo pipefail

COMMIT=fab89b777d7363550b7560ff615a11f888db46b9
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
GOLDEN="$ROOT/minnow-hw/src/test/resources/golden/scalesim"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ -z "${SCALESIM_DIR:-}" ]; then
  SCALESIM_DIR="$WORK/scale-sim-v3"
  git clone -q https://github.com/scalesim-project/scale-sim-v3 "$SCALESIM_DIR"
  git -C "$SCALESIM_DIR" checkout -q "$COMMIT"
fi
if [ -d "$SCALESIM_DIR/.git" ] || [ -f "$SCALESIM_DIR/.git" ]; then
  have="$(git -C "$SCALESIM_DIR" rev-parse HEAD)"
  [ "$have" = "$COMMIT" ] || echo "warning: SCALE-Sim checkout is at $have, the goldens were made at $COMMIT" >&2
fi

run() {  # run <cfg> <topology>
  local cfg="$1" topo="$2" name tname out
  name="$(basename "$cfg" .cfg)"
  tname="$(basename "$topo" .csv)"
  out="$WORK/out"
  rm -rf "$out"; mkdir -p "$out"
  # scale.py reads its default layout file relative to the working directory, so run from the checkout
  (cd "$SCALESIM_DIR" && PYTHONPATH=. "$PY" scalesim/scale.py -c "$cfg" -t "$topo" -p "$out/run" -s N >"$WORK/log" 2>&1) \
    || { cat "$WORK/log" >&2; exit 1; }
  # the reports land in <top path>/<run_name>/; run_name is set to the cfg's name
  mkdir -p "$GOLDEN/$name/$tname"
  cp "$out/run/$name/COMPUTE_REPORT.csv" "$out/run/$name/DETAILED_ACCESS_REPORT.csv" "$GOLDEN/$name/$tname/"
  echo "$name $tname: $(($(wc -l < "$GOLDEN/$name/$tname/COMPUTE_REPORT.csv") - 1)) layers"
}

for cfg in "$GOLDEN"/*.cfg; do
  for topo in "$GOLDEN"/*.csv; do
    run "$cfg" "$topo"
  done
done
for topo in "$GOLDEN"/big/*.csv; do
  run "$GOLDEN/ws_32x32.cfg" "$topo"
done
