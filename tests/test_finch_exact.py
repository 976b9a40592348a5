"""FINCH with exact first neighbours in chunks: finch-clust's partitions,
at any size, without pynndescent."""
import warnings
from unittest import mock

import numpy as np
import pytest
from sklearn.metrics import pairwise_distances

from mmauxskd.models.utils import clustering
from mmauxskd.models.utils.clustering import (cluster_purity,
                                              finch_levels,
                                              finch_partition,
                                              first_neighbours)

with warnings.catch_warnings():  # "pynndescent is not installed"
    warnings.simplefilter('ignore')
    from finch import FINCH
    from finch.finch import pynndescent_available


def _clustered(seed, n, d, k, dtype=np.float32):
    """``(n, d)`` samples around ``k`` centres, 2% of them exact copies of
    others (ties at distance 0), and their ``(n,)`` centres."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, d))
    which = rng.integers(0, k, n)
    x = centres[which] + rng.uniform(0.2, 1.0) * rng.normal(size=(n, d))
    copies = rng.integers(0, n, (2, n // 50))
    x[copies[0]], which[copies[0]] = x[copies[1]], which[copies[1]]
    return x.astype(dtype), which


def _sklearn_first_neighbours(x, rows=slice(None)):
    """finch-clust's exact path: sklearn's cosine distances as float32,
    the diagonal at 1e12, argmin."""
    dist = pairwise_distances(x[rows], x, metric='cosine').astype(np.float32)
    index = np.arange(len(x))[rows]
    dist[np.arange(len(index)), index] = 1e12
    return dist.argmin(1)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_first_neighbours_are_sklearns_argmin(dtype):
    for n in (1, 2, 3, 37, 300):
        x, _ = _clustered(n, n, 8, 4, dtype)
        if n > 3:
            x[n // 2] = 0  # a zero row: distance 1 to every sample
            x[1] = x[n - 1] = x[0]  # a tie at 0 across chunks: index 1 wins
        ref = _sklearn_first_neighbours(x)
        for chunk, cols in ((1, 1), (2, 3), (7, 5), (64, 100), (1024, 4096)):
            if chunk * cols == 1 and n > 37:
                continue  # 90,000 products of one number: slow, no news
            got = first_neighbours(x, chunk, cols)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, ref, err_msg=f'{n} {chunk}')
        if n > 3:
            assert first_neighbours(x, 7, 5)[n - 1] == 0


@pytest.mark.parametrize('seed,n,d,k', [(0, 500, 16, 10), (1, 1500, 64, 40),
                                        (2, 3000, 128, 100),
                                        (3, 3000, 32, 300),
                                        (4, 2000, 16, 5)])
def test_levels_equal_finch_clust(seed, n, d, k):
    x, _ = _clustered(seed, n, d, k)
    c, counts, _ = FINCH(x, distance='cosine', verbose=False)
    assert c.shape[1] >= 3
    levels, ours = finch_levels(x, chunk=256)
    assert ours == list(counts)
    np.testing.assert_array_equal(levels, c)
    # Vi2CLR's second partition, renumbered by first appearance
    labels = finch_partition(x, partition=1)
    assert len(set(zip(labels.tolist(), c[:, 1].tolist()))) == counts[1]
    assert labels.max() + 1 == counts[1]


def test_above_finch_clusts_ann_threshold_without_pynndescent():
    # 21,000 samples: finch-clust needs pynndescent (or faiss) above 20,000
    x, centres = _clustered(5, 21_000, 16, 30)
    if not pynndescent_available:
        with pytest.raises(MemoryError, match='pynndescent'):
            FINCH(x, distance='cosine', verbose=False)
    with mock.patch.object(clustering, 'print_log') as log:
        levels, counts = finch_levels(x)
    lines = [call.args[0] for call in log.call_args_list]
    assert any('level 0 of 21000 samples: 100%' in line for line in lines)
    assert 10 <= len(lines) <= 40  # every 10% of a level's chunks
    # level 0: the components of the exact first neighbours (a sample of
    # rows checked against sklearn)
    rows = np.random.default_rng(0).choice(21_000, 300, replace=False)
    nearest = first_neighbours(x)
    np.testing.assert_array_equal(nearest[rows],
                                  _sklearn_first_neighbours(x, rows))
    assert (levels[:, 0] == levels[nearest, 0]).all()
    # coarser levels are unions of finer clusters, fewer each time
    assert all(a > b for a, b in zip(counts, counts[1:]))
    for fine, coarse in zip(levels.T, levels.T[1:]):
        assert (np.bincount(fine) > 0).all()
        pairs = np.unique(np.stack([fine, coarse], 1), axis=0)
        assert len(pairs) == fine.max() + 1
    assert cluster_purity(levels[:, 1], centres) > 0.95


def test_benchmark_tool_runs_small(capsys):
    from conftest import load_tool
    load_tool('benchmarks/finch.py').main(
        ['--num', '3000', '--dim', '16', '--classes', '20', '--sub', '5'])
    out = capsys.readouterr().out
    assert 'N=3000 d=16 (20 classes x 5 sub-centres)' in out
    assert 'second partition purity' in out and 'peak resident' in out
