#!/usr/bin/env bash
# hnswlib (the C++ reference HNSW) measured like `./quiver bench ann`: same data files, parameters, recall semantics
# and JSON line shape. A benchmark only: nothing in the Maven build or the tests runs it.
#
#   bench/hnswlib/run.sh --data ../shared/data/fashion-mnist --metric euclid --queries 1000 --ef 10,16,24,32,64 \
#       [--m 16] [--ef-construct 100] [--build-threads 1] [--warmup 1000] [--repeats 3]
#
# hnswlib's headers come from the npm package hnswlib-node 3.0.0 (it bundles hnswlib v0.8.0), fetched once with
# `npm pack` into bench/hnswlib/target/ and checked against the SHA-256 below; the benchmark is compiled with
# g++ -O3 -march=native (AVX-512 kernels where the CPU has them). Needs npm, g++ (C++17) and tar.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="$HERE/target"
PKG=hnswlib-node
VERSION=3.0.0
TARBALL="$PKG-$VERSION.tgz"
SHA256=4a8074485e5abe659d23e9998d97a00226db056ca466ada6eedbc512a4c4df01

mkdir -p "$TARGET"
if [[ ! -f "$TARGET/$TARBALL" ]]; then
  echo "hnswlib: fetching $PKG@$VERSION from the npm registry" >&2
  (cd "$TARGET" && npm pack --silent "$PKG@$VERSION" >/dev/null)
fi
echo "$SHA256  $TARGET/$TARBALL" | sha256sum --check --quiet - \
  || { echo "hnswlib: $TARBALL does not match the pinned SHA-256" >&2; exit 1; }
if [[ ! -f "$TARGET/src/hnswlib/hnswalg.h" ]]; then
  tar xzf "$TARGET/$TARBALL" -C "$TARGET" --strip-components=1 package/src/hnswlib
fi

BIN="$TARGET/hnswlib_bench"
if [[ ! -x "$BIN" || "$HERE/hnswlib_bench.cpp" -nt "$BIN" ]]; then
  echo "hnswlib: compiling (g++ -O3 -march=native)" >&2
  g++ -O3 -march=native -std=c++17 -pthread -I "$TARGET/src/hnswlib" -o "$BIN" "$HERE/hnswlib_bench.cpp"
fi
exec "$BIN" "$@"
