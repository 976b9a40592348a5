#!/usr/bin/env bash
# tools/setup_env.sh [--cuda] [--dry-run] [VENV]: create (or reuse) a virtual
# environment (default: .venv) with mmauxskd installed editable, with the
# test extras. Python 3.9-3.12 (tested: 3.11; --cuda on CPU only, by test).
# mmaction2 is installed first with --no-deps (requirements/mmaction2.txt),
# so that decord, which it declares, is not installed: decord is optional
# (add it with: $VENV/bin/pip install -e ".[decord]").
#
#   (default)  the tested CPU stack: torch and numpy pinned by
#              requirements/cpu.txt, installed before mmauxskd so that its
#              `torch>=2.1` does not pull a CUDA build.
#   --cuda     keep the torch that is already installed (your CUDA build):
#              a new VENV is created with --system-site-packages so that it
#              sees the torch of the interpreter that creates it
#              ($PYTHON_FOR_VENV, default python3); requirements/cpu.txt is
#              not installed, and pip is constrained to the installed torch
#              version, so it can never replace it. Fails, installing
#              nothing, if that python has no torch >= 2.1.
#   --dry-run  check torch as above, print the pip commands, run none.
# pip options can be given as PIP_* variables (e.g. PIP_NO_INDEX=1
# PIP_FIND_LINKS=DIR on a machine without a package index).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CUDA=0
DRY=0
VENV=
for arg in "$@"; do
    case "$arg" in
        --cuda) CUDA=1 ;;
        --dry-run) DRY=1 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0"; exit 0 ;;
        -*) echo "unknown option: $arg" >&2; exit 2 ;;
        *) VENV=$arg ;;
    esac
done
VENV=${VENV:-"$ROOT/.venv"}
PY=${PYTHON_FOR_VENV:-python3}

run() {
    echo "+ $*"
    if [ "$DRY" = 0 ]; then "$@"; fi
}

if [ -x "$VENV/bin/python" ]; then
    VPY="$VENV/bin/python"
    NEW=0
else
    VPY="$PY"  # what a new venv sees with --system-site-packages
    NEW=1
fi

if [ "$CUDA" = 1 ]; then
    # the torch that will be kept: version, CUDA build, usable device
    if ! TORCH=$("$VPY" - <<'PY'
import sys
try:
    from importlib import metadata
    version = metadata.version('torch')
    import torch
except Exception as exc:  # absent, or a broken install
    sys.exit(f'no usable torch: {exc}')
major, minor = (int(x) for x in version.split('+')[0].split('.')[:2])
if (major, minor) < (2, 1):
    sys.exit(f'torch {version} is older than 2.1, which mmauxskd needs')
print(version)
print(f'torch {version}, CUDA {torch.version.cuda}, '
      f'cuda available: {torch.cuda.is_available()}', file=sys.stderr)
if torch.version.cuda is None:
    print('warning: this torch is a CPU build', file=sys.stderr)
PY
    ); then
        echo "--cuda keeps an installed torch, but $VPY has none usable." >&2
        echo "Install the torch build for your CUDA version first" \
             "(https://pytorch.org/get-started/locally/), then rerun." >&2
        exit 1
    fi
    if [ "$NEW" = 1 ]; then
        run "$PY" -m venv --system-site-packages "$VENV"
    fi
    CONSTRAINTS=$(mktemp)
    trap 'rm -f "$CONSTRAINTS"' EXIT
    echo "torch==$TORCH" > "$CONSTRAINTS"
    echo "(pip constraint: torch==$TORCH)"
    # mmaction2 without its dependencies: it declares decord, which is
    # optional here (requirements/mmaction2.txt)
    run "$VENV/bin/python" -m pip install -q --no-deps -r "$ROOT/requirements/mmaction2.txt"
    run "$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" -e "$ROOT[tests]"
else
    if [ "$NEW" = 1 ]; then
        run "$PY" -m venv "$VENV"
    fi
    run "$VENV/bin/python" -m pip install -q --upgrade pip
    # torch first, pinned, so that mmauxskd's `torch>=2.1` does not pull a
    # CUDA build
    run "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements/cpu.txt"
    run "$VENV/bin/python" -m pip install -q --no-deps -r "$ROOT/requirements/mmaction2.txt"
    run "$VENV/bin/python" -m pip install -q -e "$ROOT[tests]"
fi
if [ "$DRY" = 0 ]; then echo "environment ready: $VENV"; fi
