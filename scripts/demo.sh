#!/usr/bin/env bash
# Draw the headline map of import_tax_channels: the paper's regimes over (delta, t) at
# 2048 x 2048, saved as out/demo.zarr and out/demo.png.
set -euo pipefail
SECONDS=0
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p out
.venv/bin/fastmap map import_tax_channels \
    --axis delta=0.01:0.99:2048 --axis t=0:1:2048 --set t_g=0.05 \
    --output regime --output regime_true --output gray_beneficial \
    --output piM --output piM_true --output piM_ratio_DB \
    --out out/demo.zarr --plot out/demo.png --overwrite
echo "map:   $(pwd)/out/demo.zarr"
echo "image: $(pwd)/out/demo.png"
echo "total: ${SECONDS} s (install check, compilation on first run, computation, writing, drawing)"
