#!/usr/bin/env bash
# System packages the test suite uses as independent truth or tooling (Debian):
#   python3-beniget / python3-numpy (def-use truth, .bin read-back; used via /usr/bin/python3),
#   python3-torch / python3-onnx (tools/ablate: the --quick ablation run and its gradient check),
#   python3-venv / python3-setuptools / python3-wheel (test/python: the offline `pip install ./python` of the reader;
#   Debian 12 has no python3-pyarrow, so the reader's Parquet paths are skipped, counted, where pyarrow is absent),
#   clang + libclang-rt-14-dev (sanitizer and libFuzzer builds), zstd (.zst fixtures), cmake/g++ (the addon),
#   clang-format (scripts/lint-native.sh), ccache (test/package/install: consumer B's from-source build reuses
#   the prepack build's objects; without it the test compiles the addon twice, only slower),
#   openjdk-17-jdk-headless + openjdk-17-source, golang-go (tools/truth: javac / go truth, JDK sources corpus),
#   slurm-wlm + munge (the single-node Slurm integration test), chromium (the HTML report browser test).
# Installs whatever is missing when run as root with apt-get; otherwise says what is missing.
set -u
need=()
have_py() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
[ -x /usr/bin/python3 ] || need+=(python3)
have_py beniget || need+=(python3-beniget)
have_py numpy || need+=(python3-numpy)
have_py torch || need+=(python3-torch)
have_py onnx || need+=(python3-onnx)
have_py ensurepip || need+=(python3-venv)
have_py setuptools || need+=(python3-setuptools)
have_py wheel || need+=(python3-wheel)
# torch's BLAS: Debian's default reference BLAS is ~7x slower than OpenBLAS for the ablation's matmuls
[ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || need+=(libopenblas0-pthread)
command -v clang++ >/dev/null 2>&1 || need+=(clang)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
command -v clang-format >/dev/null 2>&1 || need+=(clang-format)
[ -x /usr/bin/javac ] || need+=(openjdk-17-jdk-headless)
[ -f /usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip ] || need+=(openjdk-17-source)
[ -x /usr/bin/go ] || need+=(golang-go)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v ccache >/dev/null 2>&1 || need+=(ccache)
{ [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null 2>&1; } || need+=(slurm-wlm)
[ -x /usr/sbin/munged ] || need+=(munge)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "test-deps: missing ${need[*]}; tests that need them will be skipped (install them with apt-get as root)" >&2
fi
exit 0
