#!/usr/bin/env bash
# tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args]
exec "$(dirname "$0")/slurm_launch.sh" "$1" "$2" test.py "${@:3}"
