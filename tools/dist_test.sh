#!/usr/bin/env bash
# tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args]
exec "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
