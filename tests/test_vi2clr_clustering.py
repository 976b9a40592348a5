"""Vi²CLR's cluster-aware sampler, and the clustering hook on 2 ranks."""
import glob
import os.path as osp

import pytest
import torch

from conftest import free_port, run_tool
from mmauxskd.datasets import ClusterAwareSampler
from test_vi2clr_model import _tiny_cfg


class _Data:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def _batches(sampler, batch):
    order = list(sampler)
    return [order[i:i + batch] for i in range(0, len(order), batch)]


def test_sampler_batches_hold_same_cluster_pairs():
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4, 5, 5, 5, 6, 6,
                           7, 8, 8, 8])
    sampler = ClusterAwareSampler(_Data(20), per_cluster=2, seed=3)
    assert sorted(sampler) == list(range(20))  # instances: a shuffle
    sampler.set_clusters(labels)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        order = list(sampler)
        assert sorted(order) == list(range(20))  # every video once
        pairs = [order[i:i + 2] for i in range(0, 20, 2)]
        same = sum(labels[a] == labels[b] for a, b in pairs)
        # clusters of sizes 3,2,1,4,1,3,2,1,3: 1+1+0+2+0+1+1+0+1 = 7 pairs
        assert same == 7
        for batch in _batches(sampler, 4):  # batches made of whole pairs
            assert len(batch) == 4
    assert order != (sampler.set_epoch(0) or list(sampler))  # reshuffled
    with pytest.raises(ValueError, match='cluster labels'):
        sampler.set_clusters(labels[:5])


def test_sampler_deals_pairs_to_ranks():
    labels = torch.arange(22) // 2  # 11 clusters of 2
    ranks = []
    for rank in range(2):
        s = ClusterAwareSampler(_Data(22), per_cluster=2, seed=0)
        s.rank, s.world_size = rank, 2
        s.total_size, s.num_samples = 24, 12  # as built on 2 ranks
        s.set_clusters(labels)
        ranks.append(list(s))
        assert len(ranks[-1]) == len(s) == 12
        for i in range(0, 12, 2):  # every pair on one rank, one cluster
            assert labels[ranks[-1][i]] == labels[ranks[-1][i + 1]]
    assert set(ranks[0]) | set(ranks[1]) == set(range(22))


def test_clustering_on_two_gloo_ranks_equals_one(tiny_data, tmp_path):
    # clusters before any step (warmup 0): from the same initial weights on
    # 1 and on 2 processes, each rank extracting half of the videos
    cfg = _tiny_cfg(tiny_data, tmp_path, """
custom_hooks = _base_.custom_hooks[:-1] + [dict(_base_.custom_hooks[-1],
    warmup_epochs=0, interval=1, batch_size=2)]
train_cfg = dict(max_epochs=1)
randomness = dict(seed=0, diff_rank_seed=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
""")
    one, two = str(tmp_path / 'one'), str(tmp_path / 'two')
    run_tool(['tools/train.py', cfg, '--work-dir', one])
    run_tool(['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', two],
             env=dict(PORT=str(free_port())))
    logs = glob.glob(osp.join(two, '*', '*.log'))
    log = open(logs[0]).read()
    assert 'Distributed training: True' in log
    assert 'Vi2CLR clustering (epoch 0)' in log
    a, b = ({k[len('clusters.'):]: v for k, v in torch.load(
        osp.join(d, 'epoch_1.pth'), weights_only=False)['state_dict'].items()
        if k.startswith('clusters.')} for d in (one, two))
    assert int(a['epoch']) == int(b['epoch']) == 0
    assert torch.equal(a['labels'], b['labels'])
    assert torch.allclose(a['centroids'], b['centroids'], atol=1e-5)
    assert torch.allclose(a['phi'], b['phi'], atol=1e-5)
    assert len(a['labels']) == 8
