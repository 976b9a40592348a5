#!/usr/bin/env bash
# README quick start (2): set up the environment and run the test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV=${VENV:-"$ROOT/.venv"}
bash "$ROOT/tools/setup_env.sh" "$VENV"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
