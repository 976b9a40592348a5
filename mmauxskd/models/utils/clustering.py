"""Clusters of embeddings for Vi²CLR: FINCH / k-means, centroids, PCL's phi.

Plain numpy functions (the clustering hook runs them on rank 0). Paper
§3.2 and §4.3 (Diba et al., ICCV 2021); phi follows PCL (Li et al., ICLR
2021, Eq. 12 and its public code). See docs/vi2clr.md.
"""
import numpy as np

__all__ = ['finch_partition', 'kmeans_partition', 'cluster_centroids',
           'concentration', 'cluster_purity']


def _contiguous(labels):
    """Labels renumbered 0..K-1 in order of first appearance."""
    _, first, inverse = np.unique(labels, return_index=True,
                                  return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse.reshape(-1)].astype(np.int64)


def finch_partition(feats, partition=1, distance='cosine', seed=0):
    """One partition of FINCH (Sarfraz et al., CVPR 2019), ``finch-clust``.

    Vi²CLR uses the second partition (§4.3: "clusters from the second
    partition"), ``partition=1``. When FINCH stops with fewer partitions
    (small sets), the last one it found is used.

    Args:
        feats (np.ndarray): ``(N, d)`` embeddings.
        partition (int): 0-based partition index.
        distance (str): FINCH's metric. Defaults to ``'cosine'``.
        seed (int): ``random_state`` of FINCH's approximate neighbour search
            (used above its ``ann_threshold``, 20K samples).

    Returns:
        np.ndarray: ``(N,)`` int64 labels, 0..K-1.
    """
    from finch import FINCH
    c, _, _ = FINCH(np.asarray(feats, dtype=np.float32), distance=distance,
                    random_state=seed, verbose=False)
    c = np.asarray(c).reshape(len(feats), -1)
    return _contiguous(c[:, min(partition, c.shape[1] - 1)])


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
