#!/usr/bin/env bash
# README quick start (1): set up the environment, then run the main job on
# the bundled demo data (generated on first use) and print the 10-clip top-1.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV=${VENV:-"$ROOT/.venv"}
bash "$ROOT/tools/setup_env.sh" "$VENV"
cd "$ROOT"
exec "$VENV/bin/python" tools/run_demo.py "$@"
