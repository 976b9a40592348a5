"""Clusters of embeddings for Vi²CLR: FINCH / k-means, centroids, PCL's phi.

Plain numpy / torch functions (the clustering hook runs them on rank 0).
Paper §3.2 and §4.3 (Diba et al., ICCV 2021); phi follows PCL (Li et al.,
ICLR 2021, Eq. 12 and its public code). See docs/vi2clr.md.
"""
import time

import numpy as np
import scipy.sparse as sp
import torch
from mmengine.logging import print_log
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize

__all__ = ['first_neighbours', 'finch_levels', 'finch_partition',
           'kmeans_partition', 'cluster_centroids', 'concentration',
           'cluster_purity']


def _contiguous(labels):
    """Labels renumbered 0..K-1 in order of first appearance."""
    _, first, inverse = np.unique(labels, return_index=True,
                                  return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse.reshape(-1)].astype(np.int64)


def first_neighbours(feats, chunk=1024, cols=4096, name='first neighbours'):
    """Each sample's nearest other sample under cosine distance, exact.

    The same neighbours as ``finch-clust``'s exact path (``FINCH`` below
    its ``ann_threshold``): sklearn's ``cosine_distances`` (rows
    L2-normalised by sklearn's ``normalize``, ``clip(1 - x_i . x_j, 0,
    2)``), cast to float32, the diagonal excluded (``finch-clust`` sets
    it to 1e12), ``argmin``. Computed
    ``chunk`` rows at a time: the ``(chunk, d) @ (d, cols)`` products of
    the chunk with ``cols`` samples after another (torch), each turned
    into distances in place and reduced with numpy's ``argmin``. Memory
    is ``O(N d + chunk x cols)`` instead of ``N^2``; time ``N^2 d``
    multiply-adds. A float64 input (FINCH's cluster means) is multiplied
    in float64, as sklearn does, and its distances rounded to float32
    before the comparison, as ``finch-clust`` does.

    Ties go to the lower index, as with ``np.argmin`` on the whole row.
    The distances are sklearn's as long as torch's BLAS rounds the dot
    products as numpy's does (bitwise equal in the tests); where they
    differ in the last bit, two neighbours within that bit of each other
    may be chosen differently.

    With 20 chunks or more, logs its progress (``print_log``) every 10%.

    Args:
        feats (np.ndarray): ``(N, d)`` float32 or float64 samples.
        chunk (int): rows per chunk. Defaults to 1024.
        cols (int): columns per product. Defaults to 4096 (16 MB in
            float32).
        name (str): what the progress lines call this search.

    Returns:
        np.ndarray: ``(N,)`` int64, the index of each sample's first
        neighbour (itself only when ``N == 1``).
    """
    feats = np.asarray(feats)
    if feats.dtype != np.float64:
        feats = feats.astype(np.float32, copy=False)
    x = torch.from_numpy(normalize(feats))
    n = len(x)
    nearest = np.zeros(n, dtype=np.int64)
    best = np.full(n, np.inf, dtype=np.float32)
    prod = torch.empty(min(chunk, n), min(cols, n), dtype=x.dtype)
    rounded = None  # float64 distances are rounded to float32 into it
    if x.dtype == torch.float64:
        rounded = np.empty(tuple(prod.shape), dtype=np.float32)
    starts = range(0, n, chunk)
    report, began = 0.1, time.perf_counter()
    for done, i in enumerate(starts, 1):
        rows = x[i:i + chunk]
        r = len(rows)
        near, low = nearest[i:i + r], best[i:i + r]
        for j in range(0, n, cols):
            c = min(cols, n - j)
            out = prod[:r, :c]
            torch.mm(rows, x[j:j + c].T, out=out)
            d = out.numpy()
            np.subtract(1, d, out=d)
            np.clip(d, 0, 2, out=d)
            if rounded is not None:
                d = rounded[:r, :c]
                d[...] = out.numpy()
            mine = np.arange(max(i, j), min(i + r, j + c))
            d[mine - i, mine - j] = np.inf  # not its own neighbour
            at = d.argmin(1)
            value = d[np.arange(r), at]
            closer = value < low  # a tie keeps the earlier column
            low[closer] = value[closer]
            near[closer] = at[closer] + j
        if len(starts) >= 20 and done >= report * len(starts):
            print_log(f'FINCH {name} of {n} samples: '
                      f'{100 * done // len(starts)}% ({done}/{len(starts)} '
                      f'chunks, {time.perf_counter() - began:.0f} s)',
                      logger='current')
            report = (int(10 * done / len(starts)) + 1) / 10
    return nearest


def _link(nearest):
    """FINCH's partition of the first-neighbour graph: ``(N,)`` labels of
    its weakly connected components (numbered by their lowest index, as
    scipy gives them) and their number."""
    n = len(nearest)
    graph = sp.csr_matrix((np.ones(n, dtype=np.float32),
                           (np.arange(n), nearest)), shape=(n, n))
    k, labels = connected_components(graph, directed=True,
                                     connection='weak')
    return labels.astype(np.int64), k


def _cluster_means(data, labels, k):
    """``(k, d)`` float64 means of the float32 samples of each cluster,
    summed in float32 as ``finch-clust``'s ``cool_mean`` does."""
    n = len(data)
    members = sp.csr_matrix((np.ones(n, dtype=np.float32),
                             (np.arange(n), labels)), shape=(n, k))
    return (members.T @ data) / np.bincount(labels, minlength=k)[:, None]


def finch_levels(feats, chunk=1024):
    """FINCH (Sarfraz et al., CVPR 2019): all its partitions, exactly.

    The partitions ``finch-clust`` 0.2.3's ``FINCH(feats)`` (cosine
    distance) returns, for any ``N``: the first neighbours come from
    :func:`first_neighbours` (exact, in chunks) instead of its dense ``N x
    N`` distance matrix, which it builds up to its ``ann_threshold``
    (20,000 samples: 1.6 GB; 230 GB at 240K), and its approximate search
    above it, which needs ``pynndescent`` (or ``faiss``, > 5M samples).

    Level 0 links every sample to its first neighbour; the weakly
    connected components are its clusters. Each next level does the same
    on the means of the previous clusters (over the samples, not of the
    means), until a level has one cluster or merges at most one pair
    (that level is dropped). ``finch-clust`` also computes an early-exit
    distance (the longest first-neighbour link of level 0) and sets the
    longer links of later levels to zero in its sparse graph, but scipy's
    ``connected_components`` keeps explicit zeros as edges, so that
    pruning changes no partition; it is left out here (the paper's
    algorithm has none).

    Args:
        feats (np.ndarray): ``(N, d)`` samples (cast to float32, as
            ``finch-clust`` does).
        chunk (int): rows per chunk of :func:`first_neighbours`.

    Returns:
        tuple: ``(N, L)`` int64 labels, one column per partition, finest
        first, each numbered 0..K-1 by lowest sample index; and the list
        of the L cluster counts.
    """
    data = np.ascontiguousarray(feats, dtype=np.float32)
    labels, k = _link(first_neighbours(data, chunk, name='level 0'))
    levels, counts = [labels], [k]
    while True:
        means = _cluster_means(data, labels, k)
        merged, k = _link(first_neighbours(
            means, chunk, name=f'level {len(levels)}'))
        if k == 1 or counts[-1] - k <= 1:
            break
        labels = merged[labels]
        levels.append(labels)
        counts.append(k)
    return np.stack(levels, 1), counts


def finch_partition(feats, partition=1, chunk=1024):
    """One partition of FINCH (:func:`finch_levels`), cosine distance.

    Vi²CLR uses the second partition (§4.3: "clusters from the second
    partition"), ``partition=1``. When FINCH stops with fewer partitions
    (small sets), the last one it found is used.

    Args:
        feats (np.ndarray): ``(N, d)`` embeddings.
        partition (int): 0-based partition index.
        chunk (int): rows per chunk of :func:`first_neighbours`.

    Returns:
        np.ndarray: ``(N,)`` int64 labels, 0..K-1.
    """
    levels, _ = finch_levels(feats, chunk)
    return _contiguous(levels[:, min(partition, levels.shape[1] - 1)])


def kmeans_partition(feats, num_clusters, seed=0):
    """k-means (scikit-learn, one initialisation) into ``num_clusters``.

    Table 1's baseline; the paper feeds it FINCH's number of clusters.
    Returns ``(N,)`` int64 labels, 0..K-1.
    """
    from sklearn.cluster import KMeans
    num_clusters = int(min(max(num_clusters, 1), len(feats)))
    km = KMeans(n_clusters=num_clusters, n_init=1, random_state=seed)
    return _contiguous(km.fit_predict(np.asarray(feats, dtype=np.float64)))


def cluster_centroids(feats, labels):
    """``(K, d)`` means of the members of each cluster (not normalised)."""
    labels = np.asarray(labels)
    k = int(labels.max()) + 1
    sums = np.zeros((k, feats.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, feats)
    counts = np.bincount(labels, minlength=k)
    return sums / np.maximum(counts, 1)[:, None]


def concentration(feats, labels, centroids, temperature=0.08,
                  clip=(10, 90)):
    r"""PCL's concentration ``phi_j`` of each cluster (PCL Eq. 12, its code).

    .. math::

        \phi_j = \frac{\sum_{z=1}^{Z_j} \lVert v_z - c_j \rVert_2}
                      {Z_j \log(Z_j + \alpha)}, \quad \alpha = 10

    with ``c_j`` the (unnormalised) mean of the ``Z_j`` members ``v_z``.
    Then as PCL's code: singleton clusters get the largest phi of the
    others; phi is clipped to its ``clip`` percentiles (10th, 90th) and
    rescaled so that its mean is ``temperature`` (tau = 0.08 in Vi²CLR).
    If every member sits on its centroid (phi all 0: a collapsed
    embedding), every phi is ``temperature``.

    Args:
        feats (np.ndarray): ``(N, d)`` embeddings (L2-normalised).
        labels (np.ndarray): ``(N,)`` labels 0..K-1.
        centroids (np.ndarray): ``(K, d)`` from :func:`cluster_centroids`.
        temperature (float): the mean of the returned phi.
        clip (tuple): percentiles phi is clipped to.

    Returns:
        np.ndarray: ``(K,)`` float64.
    """
    labels = np.asarray(labels)
    k = centroids.shape[0]
    dist = np.linalg.norm(feats - centroids[labels], axis=1)
    counts = np.bincount(labels, minlength=k)
    sums = np.bincount(labels, weights=dist, minlength=k)
    phi = sums / np.maximum(counts, 1) / np.log(counts + 10)
    many = counts > 1
    phi[~many] = phi[many].max() if many.any() else 1.0
    phi = np.clip(phi, np.percentile(phi, clip[0]),
                  np.percentile(phi, clip[1]))
    if not phi.mean() > 0:  # every member on its centroid: no spread to scale
        return np.full(k, temperature, dtype=np.float64)
    return temperature * phi / phi.mean()


def cluster_purity(labels, classes):
    """Share of samples whose cluster's majority class is their own class.

    ``classes`` < 0 (unlabelled samples) are left out; NaN if none is left.
    """
    labels, classes = np.asarray(labels), np.asarray(classes)
    keep = classes >= 0
    if not keep.any():
        return float('nan')
    labels, classes = labels[keep], classes[keep]
    table = np.zeros((labels.max() + 1, classes.max() + 1), dtype=np.int64)
    np.add.at(table, (labels, classes), 1)
    return float(table.max(1).sum() / len(labels))
