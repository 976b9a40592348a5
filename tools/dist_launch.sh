#!/usr/bin/env bash
# tools/dist_launch.sh SCRIPT NPROC [SCRIPT args]: torchrun SCRIPT on NPROC
# local processes. Used by dist_train.sh and dist_test.sh. Without CUDA the
# processes run on CPU with gloo (mmauxskd fixes mmengine's CPU launch).
# Several nodes: run this once per node with the same NNODES, MASTER_ADDR
# (node 0's address) and PORT, and NODE_RANK the node's own (0 .. NNODES-1).
# Interpreter: $PYTHON if set, else the active virtual environment's python,
# else python3 (tools/find_python.sh).
set -e
SCRIPT=$1
NPROC=$2
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/tools/find_python.sh"
# exec: a signal for the launcher (timeout, a scheduler's SIGTERM) reaches
# torchrun, which stops its workers, instead of killing only this shell and
# leaving torchrun and its workers running
export PYTHONPATH="$ROOT":$PYTHONPATH
exec "$PYTHON" -m torch.distributed.run \
    --nnodes=${NNODES:-1} \
    --node_rank=${NODE_RANK:-0} \
    --master_addr=${MASTER_ADDR:-127.0.0.1} \
    --master_port=${PORT:-29500} \
    --nproc_per_node=$NPROC \
    "$ROOT/tools/$SCRIPT" "${@:3}" --launcher pytorch
