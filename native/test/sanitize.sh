#!/usr/bin/env bash
# Build the native core (native/core/*.cc, native/lang/*.cc, the tree-sitter runtime and grammars;
# no Node-API) and the native test drivers (pack_test.cc: masks / packing / bitsets;
# structure_test.cc: structure analysis, also over the fuzz corpus) with AddressSanitizer +
# UndefinedBehaviorSanitizer, and run them. Any sanitizer report fails the run.
# Usage: native/test/sanitize.sh [build-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
native="$(dirname "$here")"
out="${1:-$native/../build-sanitize}"
mkdir -p "$out"
CXX="${CXX:-$(command -v clang++-14 || command -v clang++)}"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
# shellcheck source=native/test/build-core.sh
source "$here/build-core.sh"
build_core_objects "$out" "$san"
rt="$native/../node_modules/tree-sitter/vendor/tree-sitter/lib"
for t in pack_test structure_test; do
  "$CXX" -std=c++17 -O1 -g -fno-omit-frame-pointer $san -Wall -Wextra -Wno-unused-parameter -Werror \
    -I"$native" -I"$rt/include" "$here/$t.cc" "${core_objects[@]}" -o "$out/$t"
done
asan="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-$asan}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
"$out/pack_test"
"$out/structure_test" "$here"/fuzz/corpus-fuzz_structure/*
