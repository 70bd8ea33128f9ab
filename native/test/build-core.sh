# Sourced by sanitize.sh and fuzz.sh: compiles the language-neutral core and the language tables
# (every native/core/*.cc and native/lang/*.cc, no Node-API) and the tree-sitter runtime and
# grammars (the same C sources as the treesitter library in CMakeLists.txt) into objects.
# Usage: build_core_objects OUT_DIR "SANITIZER FLAGS"   → sets core_objects=(...)
# The tree-sitter objects are kept in OUT_DIR between runs (rebuilt when their flags change).
build_core_objects() {
  local out="$1" san="$2" native root nm cxx cc
  native="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  root="$(dirname "$native")"
  nm="$root/node_modules"
  cxx="${CXX:-$(command -v clang++-14 || command -v clang++)}"
  cc="${CC:-$(command -v clang-14 || command -v clang)}"
  local rt="$nm/tree-sitter/vendor/tree-sitter/lib"
  local grammars=(tree-sitter-python)  # keep in step with the treesitter library in CMakeLists.txt
  local ts_src=("$rt/src/lib.c") g f
  for g in "${grammars[@]}"; do
    for f in parser.c scanner.c; do [ -f "$nm/$g/src/$f" ] && ts_src+=("$nm/$g/src/$f"); done
  done
  mkdir -p "$out/obj/ts" "$out/obj/core"
  core_objects=()
  # tree-sitter: AddressSanitizer (and the fuzzer's coverage) only; its own UB is not ours to report.
  local ts_san="${san//,undefined/}" stamp="$out/obj/ts/flags"
  [ "$(cat "$stamp" 2>/dev/null)" = "$ts_san" ] || rm -f "$out/obj/ts/"*.o
  for f in "${ts_src[@]}"; do
    local o
    o="$out/obj/ts/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" .c).o"
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ]; then
      "$cc" -std=c11 -O1 -g -fno-omit-frame-pointer $ts_san -w -D_POSIX_C_SOURCE=200112L -D_DEFAULT_SOURCE \
        -I"$rt/include" -I"$rt/src" -I"$(dirname "$f")" -c "$f" -o "$o"
    fi
    core_objects+=("$o")
  done
  echo "$ts_san" >"$stamp"
  for f in "$native"/core/*.cc "$native"/lang/*.cc; do
    local o
    o="$out/obj/core/$(basename "$(dirname "$f")")-$(basename "$f" .cc).o"
    "$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer $san -Wall -Wextra -Wno-unused-parameter -Werror \
      -I"$native" -I"$rt/include" -c "$f" -o "$o"
    core_objects+=("$o")
  done
}
