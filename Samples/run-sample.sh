#!/usr/bin/env bash
# The main job on a generated sample: installs missing system packages, builds ptychite (release),
# simulates a cSAXS-like data set, reconstructs it and compares the result with the known truth.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/install-system-packages
swift build -c release --product ptychite
bin="$(swift build -c release --show-bin-path)/ptychite"
out="${1:-sample-output}"
mkdir -p "$out"
"$bin" simulate "$out/sample.cxi" --truth "$out/sample_truth.h5" --frames 400 --frame-size 128 --seed 1
"$bin" info "$out/sample.cxi"
"$bin" reconstruct "$out/sample.cxi" -o "$out/sample_result.h5" --engine DM:100,ePIE:20 --probe-modes 1
"$bin" compare "$out/sample_result.h5" "$out/sample_truth.h5"
echo
echo "Result:   $out/sample_result.h5"
echo "Previews: $(ls "$out"/sample_result_*.png | tr '\n' ' ')"
