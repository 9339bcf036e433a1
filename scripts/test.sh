#!/usr/bin/env bash
# Install fastmap with its test extras into .venv/ and run the whole test suite.
# Extra arguments go to pytest, e.g. scripts/test.sh -x -k oracle
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"
