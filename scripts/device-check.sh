#!/usr/bin/env bash
# The device check (issue #16; docs/scoring.md "GPU route"): the scorer on every execution provider this
# machine has — CPU always; CUDA and WebGPU where `nvidia-smi -L` lists a GPU — on the default model and on a
# ≥ 100M-parameter export of tools/train (float32 and float16), with tokens/s and the agreement of each device's
# log-probs with the CPU's (max abs diff ≤ 1e-2 fp32, ≤ 5e-2 fp16). Without a GPU it says so and runs the CPU
# part. One command, at most 5 minutes: the exports are cached under $CODEBLOCK_CACHE (or ~/.cache/codeblock).
#
#   scripts/device-check.sh [result.json] [--quick]     (default result: device-check.json)
#
# Needs: node ≥ 20 with this package installed (npm ci); /usr/bin/python3 with python3-torch and python3-onnx
# for the large exports (without them only the default model is checked, and the result says why).
set -euo pipefail
cd "$(dirname "$0")/.."
out=device-check.json
quick=()
for a in "$@"; do
  case "$a" in
    --quick) quick=(--quick) ;;
    *) out=$a ;;
  esac
done
command -v node >/dev/null || { echo "device-check: node not found (Node.js ≥ 20 is needed)" >&2; exit 1; }
[ -f dist/bench/device_check.js ] || npx tsc -p tsconfig.json
exec timeout 300 node dist/bench/device_check.js --out "$out" "${quick[@]}"
