#!/usr/bin/env bash
# Ptychite's DM and ePIE beside Pty-Chi's on the same simulated file, the same threads and the same machine, in one
# run: seconds per iteration of each (start-up excluded), their ratio, each object's complex NRMSE
# against the simulation's truth from `ptychite compare`, and each process's peak resident memory.
#
#   bash Benchmarks/compare/run.sh [--frames 1000] [--size 128] [--iterations 20] [--threads 2] [--chunk 30]
#                                    [--engines DM,ePIE]
#
# Needs network access to PyPI the first time: Pty-Chi 2.2.0 and PyTorch (CPU use, ~6 GB with the CUDA
# libraries PyPI's torch wheel brings) go into $PTYCHI_VENV (default ~/.cache/ptychite-compare/ptychi-2.2.0).
# Needs Python ≥ 3.11 with venv (Debian 12: python3-venv). Not part of the test suite.
set -euo pipefail

frames=1000 size=128 iterations=20 threads=2 chunk=30 engines=DM,ePIE
while [ $# -gt 0 ]; do
    case "$1" in
        --frames) frames=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --iterations) iterations=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --chunk) chunk=$2; shift 2 ;;
        --engines) engines=$2; shift 2 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$iterations" -ge 4 ] || { echo "run.sh: --iterations must be at least 4" >&2; exit 2; }
for engine in ${engines//,/ }; do
    case "$engine" in DM|ePIE) ;; *) echo "run.sh: --engines takes DM and ePIE, not $engine" >&2; exit 2 ;; esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${PTYCHI_VENV:-$HOME/.cache/ptychite-compare/ptychi-2.2.0}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import ptychi" 2>/dev/null; then
    echo "Installing Pty-Chi 2.2.0 into $venv" >&2
    python3 -m venv "$venv" || { echo "run.sh: cannot make a virtual environment (Debian: apt-get install python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet ptychi==2.2.0
fi
(cd "$root" && swift build -c release --product ptychite >&2)
ptychite="$root/.build/release/ptychite"

work=$(mktemp -d /tmp/ptychite-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$ptychite" simulate "$work/data.cxi" --frames "$frames" --frame-size "$size" --seed 5 >&2

# Per engine: Ptychite in one run, its time per iteration the slope of its cumulative seconds from iteration
# N/4 to N (the stage's start and the first iterations excluded, as by Pty-Chi's two runs); then Pty-Chi,
# its object scored on a copy of Ptychite's result; then both scored by `ptychite compare`.
rows=()
for engine in ${engines//,/ }; do
    ours=$(python3 - "$work/ptychite-$engine" "$iterations" "$ptychite" reconstruct "$work/data.cxi" \
        -o "$work/ptychite-$engine.h5" --engine "$engine:$iterations" --threads "$threads" --progress jsonl <<'PY'
import json, resource, subprocess, sys
stem, n, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
with open(stem + ".jsonl", "w") as out, open(stem + ".log", "w") as log:
    subprocess.run(command, stdout=out, stderr=log, check=True)
seconds = [json.loads(line)["seconds"] for line in open(stem + ".jsonl") if line.startswith("{")]
q = max(1, n // 4)
print(json.dumps({"seconds_per_iteration": (seconds[n - 1] - seconds[q - 1]) / (n - q),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
PY
)
    theirs=$("$venv/bin/python" "$root/Benchmarks/compare/ptychi_engine.py" "$work/data.cxi" "$work/data_truth.h5" \
        --engine "$engine" --template "$work/ptychite-$engine.h5" --output "$work/ptychi-$engine.h5" \
        --iterations "$iterations" --threads "$threads" --chunk "$chunk" 2> "$work/ptychi-$engine.log" | tail -1)
    our_score=$("$ptychite" compare "$work/ptychite-$engine.h5" "$work/data_truth.h5" --json)
    their_score=$("$ptychite" compare "$work/ptychi-$engine.h5" "$work/data_truth.h5" --json)
    rows+=("$engine" "$ours" "$theirs" "$our_score" "$their_score")
done

python3 - "$frames" "$size" "$iterations" "$threads" "$chunk" "${rows[@]}" <<'PY'
import json, sys
frames, size, iterations, threads, chunk = sys.argv[1:6]
print(f"{frames} frames of {size}², {iterations} iterations, {threads} threads (Pty-Chi's DM chunk_length {chunk}, its ePIE one position per update)")
print("| engine | ms/iteration Ptychite | Pty-Chi 2.2.0 | Pty-Chi ÷ Ptychite | NRMSE Ptychite | Pty-Chi "
      "| peak RSS MiB Ptychite | Pty-Chi |")
print("|---|---|---|---|---|---|---|---|")
rows = sys.argv[6:]
for i in range(0, len(rows), 5):
    engine, ours, theirs, our_score, their_score = rows[i:i + 5]
    ours, theirs = json.loads(ours), json.loads(theirs)
    our_time, their_time = ours["seconds_per_iteration"], theirs["seconds_per_iteration"]
    print(f"| {engine} | {our_time * 1e3:.1f} | {their_time * 1e3:.1f} | {their_time / our_time:.1f} | "
          f"{json.loads(our_score)['nrmse']:.4f} | {json.loads(their_score)['nrmse']:.4f} | "
          f"{ours['peak_rss_mib']:.0f} | {theirs['peak_rss_mib']:.0f} |")
PY
