#!/usr/bin/env bash
# Circuit build benchmark (benchmarks/RESULTS.md, "Circuit build"): full scale and density 0.02,
# wall time and peak RSS from /usr/bin/time -v, bytes per synapse row, then `sonata-s1 stats`.
# Usage: bash benchmarks/bench_build.sh [OUT_DIR]   (needs ~3 GB free in OUT_DIR; default /tmp/sonata_s1_bench)
source "$(dirname "$0")/../scripts/env.sh"
OUT="${1:-/tmp/sonata_s1_bench}"
mkdir -p "$OUT"
for density in 1.0 0.02; do
    dir="$OUT/density_$density"
    /usr/bin/time -v sonata-s1 build --out "$dir" --density "$density" --force --no-progress \
        2> "$dir.time" | tee "$dir.log"
    grep -E "Elapsed|Maximum resident" "$dir.time"
    python - "$dir" <<'PY'
import sys
from pathlib import Path

import h5py

for f in sorted(Path(sys.argv[1], "network").glob("*_edges.h5")):
    with h5py.File(f, "r") as h:
        pop = next(iter(h["edges"]))
        rows = h["edges"][pop]["target_node_id"].shape[0]
    print(f"{pop:22s} {rows:>11,d} rows  {f.stat().st_size / max(rows, 1):6.1f} B/row")
PY
    /usr/bin/time -v sonata-s1 stats "$dir" --figure "$dir.matrix.png" 2> "$dir.stats.time" | tail -25
    grep -E "Elapsed|Maximum resident" "$dir.stats.time"
done
