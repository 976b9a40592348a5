"""Vi²CLR's losses and cluster statistics against direct computations."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import mmauxskd  # noqa: F401
from mmauxskd.models.heads import CenterNCEHead, MILNCEHead
from mmauxskd.models.utils.clustering import (cluster_centroids,
                                              cluster_purity, concentration,
                                              finch_partition,
                                              kmeans_partition)


def _eq2_loop(feats, clusters, instances, tau):
    """Eq. 2 with explicit sets, one query at a time (mean over queries)."""
    r = F.normalize(feats.double(), dim=1)
    total = 0.0
    for i in range(len(r)):
        pos, neg = [], []
        for j in range(len(r)):
            if j == i:
                continue
            s = math.exp(float(r[i] @ r[j]) / tau)
            same = clusters[i] == clusters[j] or instances[i] == instances[j]
            (pos if same else neg).append(s)
        total += -math.log(sum(pos) / (sum(pos) + sum(neg)))
    return total / len(r)


def test_mil_nce_singletons_is_infonce():
    torch.manual_seed(0)
    b, tau = 5, 0.08
    feats = torch.randn(2 * b, 8)
    idx = torch.arange(b).repeat(2)  # two crops per video
    loss, npos = MILNCEHead(temperature=tau)(feats, idx, idx)
    # Eq. 1: the other crop is the only positive, every other key negative
    r = F.normalize(feats.double(), dim=1)
    logits = r @ r.t() / tau
    logits.fill_diagonal_(-float('inf'))
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(b)])
    infonce = F.cross_entropy(logits, target)
    assert float(npos) == 1.0
    assert loss.item() == pytest.approx(infonce.item(), rel=1e-5)


def test_mil_nce_with_clusters_matches_loop():
    torch.manual_seed(1)
    b = 6
    feats = torch.randn(2 * b, 4)
    idx = torch.arange(b).repeat(2)
    clusters = torch.tensor([0, 0, 1, 2, 2, 2]).repeat(2)
    head = MILNCEHead(temperature=0.5, loss_weight=2.0,
                      loss_name='loss_video_nce')
    out = head.loss(feats, clusters, idx)
    want = _eq2_loop(feats, clusters.tolist(), idx.tolist(), 0.5)
    assert out['loss_video_nce'].item() == pytest.approx(2 * want, rel=1e-5)
    # positives per row: cluster 0 (2 videos x 2 crops) 3 each, cluster 1
    # (one video) 1, cluster 2 (3 videos) 5; averaged over the 12 rows
    assert out['npos_video_nce'].item() == pytest.approx(
        (4 * 3 + 2 * 1 + 6 * 5) / 12)
    # a different clustering changes the loss
    assert head.loss(feats, idx, idx)['loss_video_nce'].item() != \
        pytest.approx(out['loss_video_nce'].item())


def test_center_nce_matches_numpy():
    rng = np.random.default_rng(0)
    n, k, d = 7, 4, 5
    r = rng.normal(size=(n, d))
    c = rng.normal(size=(k, d))
    phi = rng.uniform(0.05, 0.2, size=k)
    s = np.array([0, 1, 2, 3, 0, 1, 2])
    rn = r / np.linalg.norm(r, axis=1, keepdims=True)
    cn = c / np.linalg.norm(c, axis=1, keepdims=True)
    logits = rn @ cn.T / phi[None]
    want = np.mean([-logits[i, s[i]] + np.log(np.exp(logits[i]).sum())
                    for i in range(n)])
    args = [torch.tensor(r), torch.tensor(s), torch.tensor(c),
            torch.tensor(phi)]
    loss, _ = CenterNCEHead()(*args)
    assert loss.item() == pytest.approx(want, rel=1e-5)
    # 'batch': only the clusters present in the batch (0 and 2 here)
    sb = np.array([0, 2, 2, 0, 0, 2, 2])
    want_b = np.mean([-logits[i, sb[i]] + np.log(np.exp(logits[i, [0, 2]])
                                                 .sum()) for i in range(n)])
    args[1] = torch.tensor(sb)
    loss_b, _ = CenterNCEHead(denominator='batch')(*args)
    assert loss_b.item() == pytest.approx(want_b, rel=1e-5)
    with pytest.raises(ValueError, match='denominator'):
        CenterNCEHead(denominator='other')


def _phi_loop(feats, labels, tau):
    """PCL's concentration as its code computes it, cluster by cluster."""
    k = labels.max() + 1
    density = np.zeros(k)
    for j in range(k):
        members = feats[labels == j]
        if len(members) > 1:
            c = members.mean(0)
            dist = np.sqrt(((members - c) ** 2).sum(1))
            density[j] = dist.mean() / np.log(len(dist) + 10)
    dmax = density.max()
    for j in range(k):
        if (labels == j).sum() <= 1:
            density[j] = dmax
    density = density.clip(np.percentile(density, 10),
                           np.percentile(density, 90))
    return tau * density / density.mean()


def test_concentration_and_centroids_match_pcl_loop():
    rng = np.random.default_rng(2)
    feats = rng.normal(size=(40, 3))
    labels = rng.integers(0, 9, size=40)
    labels[labels == 8] = 7
    labels[0] = 8  # a singleton
    cents = cluster_centroids(feats, labels)
    for j in range(9):
        np.testing.assert_allclose(cents[j], feats[labels == j].mean(0))
    phi = concentration(feats, labels, cents, 0.08)
    np.testing.assert_allclose(phi, _phi_loop(feats, labels, 0.08),
                               rtol=1e-10)
    assert phi.mean() == pytest.approx(0.08)


def test_finch_wrapper_equals_finch():
    from finch import FINCH
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(6, 16)) * 4
    feats = (centres[rng.integers(0, 6, 120)] +
             rng.normal(size=(120, 16))).astype(np.float32)
    c, num, _ = FINCH(feats, distance='cosine', verbose=False,
                      random_state=0)
    assert c.shape[1] >= 2
    ours = finch_partition(feats, partition=1)
    # the same partition (ours renumbered 0..K-1 by first appearance)
    assert len(np.unique(ours)) == num[1]
    pairs = set(zip(ours.tolist(), c[:, 1].tolist()))
    assert len(pairs) == num[1]
    assert ours.max() + 1 == num[1] and ours[0] == 0
    # a partition past the last one: the last one
    last = finch_partition(feats, partition=99)
    assert len(np.unique(last)) == num[-1]


def test_kmeans_and_purity():
    rng = np.random.default_rng(4)
    feats = np.concatenate([rng.normal(size=(10, 2)) + 10,
                            rng.normal(size=(10, 2)) - 10])
    labels = kmeans_partition(feats, 2, seed=0)
    assert len(set(labels[:10])) == 1 and labels[0] != labels[-1]
    assert cluster_purity(labels, np.repeat([0, 1], 10)) == 1.0
    assert cluster_purity([0, 0, 0, 1], [0, 1, 1, -1]) == pytest.approx(2 / 3)


def test_concentration_of_a_collapsed_embedding_is_uniform():
    # every member on its centroid (all distances 0): no NaN, phi = tau
    feats = np.ones((6, 4)) / 2
    labels = np.array([0, 0, 1, 1, 1, 2])
    phi = concentration(feats, labels, cluster_centroids(feats, labels),
                        0.08)
    np.testing.assert_allclose(phi, 0.08)


def test_cluster_hook_phi_option():
    from mmauxskd.engine.hooks import Vi2CLRClusterHook
    feats = np.random.default_rng(0).normal(size=(30, 8)).astype(np.float32)
    feats /= np.linalg.norm(feats, axis=1, keepdims=True)
    pcl = Vi2CLRClusterHook(partition=0).compute(feats, 0)
    uniform = Vi2CLRClusterHook(partition=0, phi='uniform').compute(feats, 0)
    assert np.array_equal(pcl[0], uniform[0])  # the same clusters
    assert pcl[2].std() > 0 and np.allclose(uniform[2], 0.08)
    with pytest.raises(ValueError, match='phi'):
        Vi2CLRClusterHook(phi='tau')
