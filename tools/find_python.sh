# Sourced by the launch scripts: sets PYTHON to the interpreter that runs
# the project. $PYTHON if set; else the active virtual environment's python
# ($VIRTUAL_ENV/bin/python); else python3 (many GPU images and Debian hosts
# have no `python`); else python.
if [ -z "${PYTHON:-}" ]; then
    if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
        PYTHON="$VIRTUAL_ENV/bin/python"
    elif command -v python3 >/dev/null 2>&1; then
        PYTHON=python3
    else
        PYTHON=python
    fi
fi
