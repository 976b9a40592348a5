"""Every cross-rank gather of the package, in rank order.

* :func:`gather_across_ranks`: data only (queue keys, cluster features),
  no gradient;
* :func:`gather_with_offset` / :func:`gather_with_local_grad`: losses over
  the global batch, each rank back-propagating its own slice;
* :func:`scale_grad`: the gradient correction that goes with them.

A loss that couples the samples of a batch (contrastive negatives,
Sinkhorn's equal partition, batch graphs) should see the *global* batch
whatever the number of processes. :func:`gather_with_local_grad`
concatenates a tensor of every rank in rank order; only the local slice
keeps its autograd graph. Every rank then computes the same global loss
``L``; its gradient reaches each rank's parameters only through that
rank's slice, and DDP averages the ranks' gradients, i.e. divides by the
world size R. :func:`scale_grad` multiplies the gradient (not the value)
by R, so that the DDP average is exactly ``dL/dtheta`` of one process
holding the whole batch.

Ranks may hold different numbers of rows (a short last batch); with one
process every function returns its input unchanged.
"""
import torch
from mmengine.dist import all_gather, get_rank, get_world_size

__all__ = ['gather_parts', 'gather_across_ranks', 'gather_with_offset',
           'gather_with_local_grad', 'scale_grad']


def gather_parts(x):
    """``x`` (N_r, ...) of every rank, as a list in rank order.

    The sizes are gathered first and every part padded to the largest for
    the gather, then cut back. One process: ``[x]``.
    """
    if get_world_size() == 1:
        return [x]
    sizes = [int(n) for n in all_gather(
        torch.tensor([x.shape[0]], device=x.device))]
    longest = max(sizes)
    if x.shape[0] < longest:
        x = torch.cat([x, x.new_zeros((longest - x.shape[0], ) + x.shape[1:])])
    return [part[:n] for part, n in zip(all_gather(x), sizes)]


def gather_across_ranks(x):
    """``(sum_r N_r, ...)``: ``x`` (N_r, ...) of every rank concatenated in
    rank order, without gradient. One process: ``x`` itself."""
    if get_world_size() == 1:
        return x
    return torch.cat(gather_parts(x))


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
    """``loss`` with its value unchanged and its gradient x world size R:
    ``R * L - (R - 1) * stop_grad(L)``."""
    world = get_world_size()
    if world == 1:
        return loss
    return loss * world - loss.detach() * (world - 1)
