"""Losses over the global batch, each rank back-propagating its own slice.

A loss that couples the samples of a batch (contrastive negatives, Sinkhorn's
equal partition, batch graphs) should see the *global* batch whatever the
number of processes. :func:`gather_with_local_grad` concatenates a tensor
of every rank in rank order; only the local slice keeps its autograd graph.
Every rank then computes the same global loss ``L``; its gradient reaches
each rank's parameters only through that rank's slice, and DDP averages the
ranks' gradients, i.e. divides by the world size R. :func:`scale_grad`
multiplies the gradient (not the value) by R, so that the DDP average is
exactly ``dL/dtheta`` of one process holding the whole batch.
"""
import torch
from mmengine.dist import get_rank, get_world_size

from .feature_queue import gather_parts

__all__ = ['gather_with_offset', 'gather_with_local_grad', 'scale_grad']


def gather_with_offset(x):
    """``x`` (N_r, ...) of every rank concatenated in rank order, and the
    offset of this rank's rows in it. The other ranks' rows carry no
    gradient; this rank's rows are ``x`` itself. One process: ``(x, 0)``.
    """
    if get_world_size() == 1:
        return x, 0
    parts = gather_parts(x.detach())
    rank = get_rank()
    parts[rank] = x
    return torch.cat(parts), sum(p.shape[0] for p in parts[:rank])


def gather_with_local_grad(x):
    """``(sum_r N_r, ...)``: ``x`` of every rank in rank order; the gradient
    flows into the local ``x`` only. One process: ``x`` itself."""
    return gather_with_offset(x)[0]


def scale_grad(loss):
    """``loss`` with its value unchanged and its gradient x world size."""
    world = get_world_size()
    if world == 1:
        return loss
    return loss * world - loss.detach() * (world - 1)
