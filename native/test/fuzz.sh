#!/usr/bin/env bash
# Build the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) — fuzz_mask and fuzz_pack
# (masks / packing entry points) and fuzz_structure (structure analysis) — over the native core
# (native/core/*.cc, native/lang/*.cc, tree-sitter; see build-core.sh), and run each for a bounded
# time on its corpus kept in the repo (native/test/fuzz/corpus-<target>/). New inputs go to a
# scratch dir, not the repo corpus.
# Usage: native/test/fuzz.sh [total-seconds=60] [build-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
native="$(dirname "$here")"
total="${1:-60}"
out="${2:-$native/../build-fuzz}"
CXX="${CXX:-$(command -v clang++-14 || command -v clang++)}"
targets=(fuzz_mask fuzz_pack fuzz_structure)
per=$((total / ${#targets[@]}))
((per >= 1)) || per=1
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
mkdir -p "$out"
# shellcheck source=native/test/build-core.sh
source "$here/build-core.sh"
build_core_objects "$out" "$san"
rt="$native/../node_modules/tree-sitter/vendor/tree-sitter/lib"
for t in "${targets[@]}"; do
  "$CXX" -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$native" -I"$rt/include" "$here/fuzz/$t.cc" "${core_objects[@]}" -o "$out/$t"
done
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in "${targets[@]}"; do
  work="$out/corpus-$t"
  mkdir -p "$work"
  echo "== $t: ${per}s on $here/fuzz/corpus-$t"
  # Crash reproducers land in $out (artifact_prefix); the repo corpus is read-only input.
  "$out/$t" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/$t-" "$work" "$here/fuzz/corpus-$t"
done
echo "fuzz: no findings"
