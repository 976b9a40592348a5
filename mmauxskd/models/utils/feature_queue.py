"""FIFO queue of embeddings with the enqueue-after-the-step protocol:
auxSKD's memory bank of anchors, MoCo's and RSPNet's queue of keys."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .gather import gather_across_ranks

__all__ = ['FeatureQueue', 'enqueue_all_pending']


class FeatureQueue(nn.Module):
    """A FIFO queue of ``size`` L2-normalised ``dim``-d vectors.

    State lives in two buffers, so it travels with the model's state dict
    (checkpoints, ``--resume``) and with mmengine's broadcast after
    initialisation: ``bank`` (size, dim) and ``ptr`` (the slot the next
    vector goes to; once the queue has been filled, also its oldest entry).

    Initial content: random unit vectors, drawn from a standard normal and
    normalised per row (each entry has norm 1, like the embeddings that
    replace it). The ISD/auxSKD code normalised a (K, dim) queue along K,
    leaving tiny, non-unit anchors at the start.

    Protocol (auxSKD's Algorithm 1, step 9; MoCo's ``_dequeue_and_enqueue``):
    a training step computes its loss against the queue as it was before
    the step and hands its new keys to :meth:`enqueue_later`;
    :class:`~mmauxskd.engine.hooks.AnchorQueueHook` calls
    :meth:`enqueue_pending` after the optimizer step, which gathers the keys
    of all ranks in rank order (every rank then holds the same queue) and
    pushes them. The next step's :meth:`require_enqueued` fails if that did
    not happen.

    Args:
        size (int): number of entries (auxSKD's H). Need not be a multiple
            of the batch size.
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
        self.pending = None  # (N, dim) keys of this rank, not yet pushed

    @torch.no_grad()
    def enqueue(self, keys):
        """Push ``keys`` (N, dim) in order now; the N oldest entries leave.

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

    def enqueue_later(self, keys):
        """Keep this rank's ``keys`` (N, dim) for :meth:`enqueue_pending`
        (replacing any kept before)."""
        self.pending = keys.detach()

    @torch.no_grad()
    def enqueue_pending(self):
        """Push the kept keys of all ranks, in rank order; returns how many
        were pushed (0 when none were kept)."""
        if self.pending is None:
            return 0
        keys, self.pending = gather_across_ranks(self.pending), None
        self.enqueue(keys)
        return keys.shape[0]

    def require_enqueued(self, hook='AnchorQueueHook'):
        """Raise if the previous step's keys were never enqueued."""
        if self.pending is not None:
            raise RuntimeError(
                "the previous batch's keys were never enqueued: add "
                f'dict(type="{hook}") to custom_hooks (or call '
                'enqueue_all_pending(model))')

    def ordered(self):
        """The bank from oldest to newest entry (a copy, for inspection)."""
        return torch.roll(self.bank, -int(self.ptr), dims=0)

    def extra_repr(self):
        return f'size={self.size}, dim={self.bank.shape[1]}'


def enqueue_all_pending(model):
    """:meth:`FeatureQueue.enqueue_pending` on every queue of ``model``.

    Returns the number of queues (so a caller can tell a model without any)
    and the keys pushed, as ``(queues, keys)``.
    """
    queues = [m for m in model.modules() if isinstance(m, FeatureQueue)]
    return len(queues), sum(q.enqueue_pending() for q in queues)
