#!/usr/bin/env bash
# tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args]
# env: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS
exec "$(dirname "$0")/slurm_launch.sh" "$1" "$2" train.py "${@:3}"
