"""A sampler whose batches hold same-cluster videos (Vi²CLR's positives)."""
import math

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler
from mmaction.registry import DATA_SAMPLERS

__all__ = ['ClusterAwareSampler']


@DATA_SAMPLERS.register_module()
class ClusterAwareSampler(Sampler):
    """Shuffled order made of groups of ``per_cluster`` same-cluster videos.

    With thousands of clusters (FINCH gives 10-15K on Kinetics-400) a random
    batch holds almost no two videos of one cluster, and MIL-NCE (paper
    Eq. 2) would have no cluster positives. Each epoch (seeded by ``seed``
    and the epoch, the same on every rank) this sampler:

    1. shuffles the members of every cluster and cuts them into groups of
       ``per_cluster``;
    2. puts the members left over (fewer than ``per_cluster``, singleton
       clusters included) into mixed groups of ``per_cluster``; when the
       dataset size is not a multiple of ``per_cluster`` the last of them
       is short and is filled up with the first videos of the epoch's
       random permutation that are not in it (with its own members, again,
       when the dataset is smaller than one group), so every group has
       exactly ``per_cluster`` videos and none shifts the groups after it
       across a batch boundary;
    3. shuffles the groups, repeats whole groups from the start of the list
       until it holds a multiple of ``world size`` groups (at least one per
       rank) and deals the groups to the ranks in turn.

    Every video appears at least once per epoch (a few twice: the filling
    and the padding). Each rank's order is a sequence of whole groups, so
    with a batch size that is a multiple of ``per_cluster`` (checked by
    :class:`Vi2CLRClusterHook`) every batch is made of whole groups, P
    clusters x ``per_cluster`` videos, for any dataset size and world size,
    the last, shorter batch of an epoch included (``drop_last=False``; with
    ``drop_last=True`` the loader drops it, as with any sampler). ``len()``
    is the number of indices a rank yields, ``ceil(N / (per_cluster x
    world size)) x per_cluster``. Before :meth:`set_clusters` (the instance
    warm-up) every video is its own cluster: a plain shuffle.

    A dataset whose size is a multiple of ``per_cluster`` has no group to
    fill and gets the same order as before short groups were filled
    (datasets of fewer than ``per_cluster x world size / 2`` videos aside:
    their padding used to leave the last ranks short of ``len()``).
    Building the order of a 240,001-video epoch (12K clusters,
    ``per_cluster=2``) takes 0.4-0.8 s (one process on a shared 2-core
    machine).

    Args:
        dataset: the training dataset.
        per_cluster (int): videos of one cluster in a group. Defaults to 2.
        shuffle (bool): must be True (kept for ``DefaultSampler``'s
            signature).
        seed (int, optional): defaults to a seed shared by all ranks.
    """

    def __init__(self, dataset, per_cluster=2, shuffle=True, seed=None):
        if per_cluster < 1:
            raise ValueError(f'per_cluster must be >= 1, got {per_cluster}')
        if not shuffle:
            raise ValueError('ClusterAwareSampler always shuffles')
        self.dataset = dataset
        self.per_cluster = per_cluster
        self.rank, self.world_size = get_dist_info()
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        self.labels = None
        unit = per_cluster * self.world_size
        self.total_size = math.ceil(len(dataset) / unit) * unit
        self.num_samples = self.total_size // self.world_size

    def set_clusters(self, labels):
        """The cluster of every dataset index, ``(N,)`` (None: instances)."""
        if labels is not None:
            labels = torch.as_tensor(labels, dtype=torch.long).cpu()
            if len(labels) != len(self.dataset):
                raise ValueError(f'{len(labels)} cluster labels for a '
                                 f'dataset of {len(self.dataset)}')
        self.labels = labels

    def set_epoch(self, epoch):
        self.epoch = epoch

    def groups(self):
        """This epoch's groups, in order, all ranks (before the padding to
        the world size): a list of ``ceil(N / per_cluster)`` lists of
        ``per_cluster`` dataset indices."""
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        m, n = self.per_cluster, len(self.dataset)
        labels = self.labels if self.labels is not None else torch.arange(n)
        order = torch.randperm(n, generator=g)
        # members of each cluster in a random order: a stable sort of the
        # shuffled indices by cluster
        by_cluster = order[torch.sort(labels[order], stable=True).indices]
        sorted_labels = labels[by_cluster]
        starts = torch.ones(n, dtype=torch.bool)
        starts[1:] = sorted_labels[1:] != sorted_labels[:-1]
        cluster_id = torch.cumsum(starts, 0) - 1
        first = torch.nonzero(starts).flatten()
        rank_in_cluster = torch.arange(n) - first[cluster_id]
        size = torch.bincount(cluster_id)[cluster_id]
        full = rank_in_cluster < size - size % m
        groups = by_cluster[full].view(-1, m).tolist()
        rest = by_cluster[~full]
        rest = rest[torch.randperm(len(rest), generator=g)].tolist()
        groups += [rest[i:i + m] for i in range(0, len(rest), m)]
        if n % m:  # the last mixed group is short: fill it up from the
            # permutation above (no new draw: the shuffle below stays)
            short = groups[-1]
            fill = [i for i in order[:m].tolist() if i not in short]
            groups[-1] = (short + fill + short * m)[:m]
        groups = [groups[i] for i in torch.randperm(len(groups),
                                                    generator=g).tolist()]
        return groups

    def __iter__(self):
        groups = self.groups()
        w = self.world_size
        total = self.total_size // self.per_cluster  # groups, all ranks
        groups = (groups * math.ceil(total / len(groups)))[:total]
        return iter([i for group in groups[self.rank::w] for i in group])

    def __len__(self):
        return self.num_samples
