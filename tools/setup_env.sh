#!/usr/bin/env bash
# tools/setup_env.sh [VENV]: create (or reuse) a virtual environment with the
# tested CPU stack and mmauxskd installed editable, with the test extras.
# Python 3.9-3.11 (tested: 3.11). CUDA users: see README "Install".
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV=${1:-"$ROOT/.venv"}
PY=${PYTHON_FOR_VENV:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch first, pinned, so that mmauxskd's `torch>=2.1` does not pull a CUDA build
"$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/cpu.txt"
"$VENV/bin/python" -m pip install -q -e "$ROOT[tests]"
echo "environment ready: $VENV"
