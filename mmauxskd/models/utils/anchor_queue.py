"""FIFO memory bank of teacher embeddings (auxSKD's anchors)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import all_gather, get_world_size


def gather_across_ranks(x):
    """Concatenate ``x`` (N_r, ...) of every rank, in rank order.

    Ranks may hold different N_r (a short last batch): the sizes are
    gathered first and every part padded to the largest. One process:
    ``x`` itself.
    """
    if get_world_size() == 1:
        return x
    sizes = [int(n) for n in all_gather(
        torch.tensor([x.shape[0]], device=x.device))]
    longest = max(sizes)
    if x.shape[0] < longest:
        x = torch.cat([x, x.new_zeros((longest - x.shape[0], ) + x.shape[1:])])
    return torch.cat([part[:n] for part, n in zip(all_gather(x), sizes)])


class AnchorQueue(nn.Module):
    """A FIFO queue of ``size`` L2-normalised ``dim``-d vectors.

    State lives in two buffers, so it travels with the model's state dict
    (checkpoints, ``--resume``) and with mmengine's broadcast after
    initialisation: ``bank`` (size, dim) and ``ptr`` (the slot the next
    vector goes to; once the queue has been filled, also its oldest entry).

    Initial content: random unit vectors, drawn from a standard normal and
    normalised per row (each anchor has norm 1, like the teacher embeddings
    that replace it). The ISD/auxSKD code normalised a (K, dim) queue along
    K, leaving tiny, non-unit anchors at the start.

    Args:
        size (int): H, the number of anchors. Need not be a multiple of the
            batch size.
        dim (int): embedding size.
    """

    def __init__(self, size, dim):
        super().__init__()
        if size < 1 or dim < 1:
            raise ValueError(f'queue size and dim must be >= 1: {size}, {dim}')
        self.size = size
        self.register_buffer('bank',
                             F.normalize(torch.randn(size, dim), dim=1))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys):
        """Push ``keys`` (N, dim) in order; the N oldest entries leave.

        Wraps around the end of the bank; with N > size only the newest
        ``size`` keys are kept.
        """
        keys = keys.detach()
        n = keys.shape[0]
        ptr = int(self.ptr)
        if n > self.size:
            ptr = (ptr + n - self.size) % self.size
            keys, n = keys[n - self.size:], self.size
        first = min(n, self.size - ptr)
        self.bank[ptr:ptr + first] = keys[:first]
        self.bank[:n - first] = keys[first:]
        self.ptr.fill_((ptr + n) % self.size)

    def ordered(self):
        """The bank from oldest to newest entry (a copy, for inspection)."""
        return torch.roll(self.bank, -int(self.ptr), dims=0)

    def extra_repr(self):
        return f'size={self.size}, dim={self.bank.shape[1]}'
