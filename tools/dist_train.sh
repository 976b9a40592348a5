#!/usr/bin/env bash
# tools/dist_train.sh CONFIG NPROC [train.py args]
# One process per GPU (nccl), or NPROC CPU processes (gloo) without CUDA.
# Several nodes: NNODES, NODE_RANK, MASTER_ADDR and PORT on each node.
exec "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
