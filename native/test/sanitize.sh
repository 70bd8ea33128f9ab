#!/usr/bin/env bash
# Build the mask / packing / bitset core (native/core/mask*, pack*, bitset*; no Node-API, no
# tree-sitter) and the native test driver with AddressSanitizer + UndefinedBehaviorSanitizer, and
# run it. Any sanitizer report fails the run. Usage: native/test/sanitize.sh [build-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
native="$(dirname "$here")"
out="${1:-$native/../build-sanitize}"
mkdir -p "$out"
CXX="${CXX:-$(command -v clang++-14 || command -v clang++ || command -v g++)}"
srcs=("$native"/core/mask*.cc "$native"/core/pack*.cc "$native"/core/bitset*.cc)
set -x
"$CXX" -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -I"$native" "${srcs[@]}" "$here/pack_test.cc" -o "$out/pack_test"
set +x
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
"$out/pack_test"
