#!/usr/bin/env bash
# Create or update the virtual environment .venv/ and install fastmap into it (editable).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
spec="."
if [ -n "${1:-}" ]; then spec=".[$1]"; fi
.venv/bin/python -m pip install --quiet --editable "$spec" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import fastmap" # fail here if the install did not work
