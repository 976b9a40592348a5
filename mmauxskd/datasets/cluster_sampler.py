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
       clusters included) into mixed groups of ``per_cluster``;
    3. shuffles the groups, pads the list (repeating its start) to a
       multiple of ``per_cluster x world size`` and deals the groups to the
       ranks in turn.

    Every video appears once per epoch (plus padding). With a batch size
    that is a multiple of ``per_cluster`` (checked by
    :class:`Vi2CLRClusterHook`), every batch is made of whole groups, P
    clusters x ``per_cluster`` videos. Before :meth:`set_clusters` (the
    instance warm-up) every video is its own cluster: a plain shuffle.

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
        """This epoch's groups (lists of indices), in order, all ranks."""
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
        groups = [groups[i] for i in torch.randperm(len(groups),
                                                    generator=g).tolist()]
        return groups

    def __iter__(self):
        flat = [i for group in self.groups() for i in group]
        flat += flat[:self.total_size - len(flat)]
        m, w = self.per_cluster, self.world_size
        mine = [flat[j] for start in range(self.rank * m, self.total_size,
                                           m * w)
                for j in range(start, start + m)]
        return iter(mine)

    def __len__(self):
        return self.num_samples
