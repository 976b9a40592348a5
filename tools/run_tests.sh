#!/usr/bin/env bash
# README quick start (2): set up the environment and run the test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV=${VENV:-"$ROOT/.venv"}
bash "$ROOT/tools/setup_env.sh" "$VENV"
cd "$ROOT"
# TEST_WORKERS processes (pytest-xdist; default 2, the CI machine's cores),
# a test module's tests in one process (its module fixtures built once);
# TEST_WORKERS=0 runs in this process.
XDIST=(-n "${TEST_WORKERS:-2}" --dist loadscope)
exec "$VENV/bin/python" -m pytest tests -q -p no:cacheprovider "${XDIST[@]}" "$@"
