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
from mmengine.dist import all_gather, get_rank, get_world_size

from .feature_queue import gather_across_ranks

__all__ = ['gather_with_local_grad', 'scale_grad']


def gather_with_local_grad(x):
    """``(sum_r N_r, ...)``: ``x`` of every rank in rank order; the gradient
    flows into the local ``x`` only. One process: ``x`` itself."""
    if get_world_size() == 1:
        return x
    sizes = [int(n) for n in all_gather(
        torch.tensor([x.shape[0]], device=x.device))]
    full = gather_across_ranks(x.detach())
    start = sum(sizes[:get_rank()])
    return torch.cat([full[:start], x, full[start + x.shape[0]:]])


def scale_grad(loss):
    """``loss`` with its value unchanged and its gradient x world size."""
    world = get_world_size()
    if world == 1:
        return loss
    return loss * world - loss.detach() * (world - 1)
