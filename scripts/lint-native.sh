#!/usr/bin/env bash
# C++ format check of native/ against .clang-format (Debian package clang-format).
# Usage: scripts/lint-native.sh [--fix] [path...]   (default: every .cc / .c / .h under native/)
#   --fix  rewrite the files in place instead of failing on them
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
fmt="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}"
if [ -z "$fmt" ]; then
  echo "lint-native: clang-format not found (install the Debian package clang-format, or set CLANG_FORMAT)" >&2
  exit 1
fi
mapfile -t files < <(find "${@:-native}" -type f \( -name '*.cc' -o -name '*.c' -o -name '*.h' \) | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "lint-native: no C++ files under ${*:-native}" >&2
  exit 1
fi
if [ "$fix" = 1 ]; then
  "$fmt" -i --style=file "${files[@]}"
  exit 0
fi
if ! "$fmt" --dry-run -Werror --style=file "${files[@]}"; then
  echo "lint-native: files above are not formatted ($("$fmt" --version | head -1));" \
    "fix with scripts/lint-native.sh --fix" >&2
  exit 1
fi
echo "lint-native: ${#files[@]} files formatted"
