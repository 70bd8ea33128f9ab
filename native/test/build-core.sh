# Sourced by sanitize.sh and fuzz.sh: compiles the language-neutral core and the language tables
# (every native/core/*.cc and native/lang/*.cc, no Node-API) and the tree-sitter runtime and
# grammars (the same C sources as the treesitter library in CMakeLists.txt) into objects.
# Usage: build_core_objects OUT_DIR "SANITIZER FLAGS"   → sets core_objects=(...)
# The tree-sitter objects are kept in OUT_DIR between runs (rebuilt when their flags change).
build_core_objects() {
  local out="$1" san="$2" native root cxx cc
  native="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  root="$(dirname "$native")"
  cxx="${CXX:-$(command -v clang++-14 || command -v clang++)}"
  cc="${CC:-$(command -v clang-14 || command -v clang)}"
  # The same sources the addon compiles: scripts/native-deps.cjs resolves the runtime and every grammar of
  # native/grammars.json the way Node resolves packages (docs/install.md).
  local deps rt ts_inc ts_priv f
  deps="$(node "$root/scripts/native-deps.cjs" json)"
  ts_inc="$(node -e 'console.log(JSON.parse(process.argv[1]).treeSitter.include)' "$deps")"
  ts_priv="$(node -e 'console.log(JSON.parse(process.argv[1]).treeSitter.privateInclude)' "$deps")"
  local ts_src=()
  mapfile -t ts_src < <(node -e 'const d = JSON.parse(process.argv[1]);
    for (const f of [...d.treeSitter.sources, ...d.grammars.flatMap((g) => g.sources)]) console.log(f);' "$deps")
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
        -I"$ts_inc" -I"$ts_priv" -I"$(dirname "$f")" -c "$f" -o "$o"
    fi
    core_objects+=("$o")
  done
  echo "$ts_san" >"$stamp"
  for f in "$native"/core/*.cc "$native"/lang/*.cc; do
    local o
    o="$out/obj/core/$(basename "$(dirname "$f")")-$(basename "$f" .cc).o"
    "$cxx" -std=c++17 -O1 -g -fno-omit-frame-pointer $san -Wall -Wextra -Wno-unused-parameter -Werror \
      -I"$native" -I"$ts_inc" -c "$f" -o "$o"
    core_objects+=("$o")
  done
}
