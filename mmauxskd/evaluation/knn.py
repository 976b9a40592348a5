"""Weighted k-nearest-neighbour classification of frozen video features.

The readout of Wu et al. (2018, instance discrimination) that SlowFast's and
PyTorchVideo's self-supervised recipes, DINO and most video SSL papers
report beside finetuning: the backbone is frozen, each video is its
clip-averaged, globally pooled feature (as for retrieval), and a test video
takes the class with the largest vote among its ``k`` most similar training
videos, each vote weighted by ``exp(cos / T)``. No parameter is trained, so
it measures the representation alone and costs one feature pass.
``tools/analysis/knn.py CONFIG CHECKPOINT`` runs it (``configs/knn/``).
"""
import numpy as np
from mmengine.logging import print_log
from mmaction.registry import METRICS

from .retrieval import VideoFeatureMetric, cosine_similarity

__all__ = ['knn_predict', 'KNNAccMetric']


def knn_predict(query, gallery, gallery_labels, k=20, temperature=0.07,
                num_classes=None):
    r"""Weighted kNN class scores of each query.

    For query :math:`q` with neighbours :math:`N_k(q)` (the ``k`` gallery
    videos of largest cosine similarity :math:`s_i`), the score of class
    :math:`c` is :math:`\sum_{i \in N_k(q), y_i = c} \exp(s_i / T)`.

    Args:
        query (array): (Q, D) features.
        gallery (array): (G, D) features.
        gallery_labels (array): (G,) int classes.
        k (int): neighbours; more than G counts as G.
        temperature (float): T of the vote weights.
        num_classes (int, optional): defaults to ``max(label) + 1``.

    Returns:
        ndarray: (Q, num_classes) class scores; ties of similarity keep the
        gallery order.
    """
    similarity, _, gallery_labels = cosine_similarity(
        query, np.zeros(len(query)), gallery, gallery_labels)
    k = min(int(k), similarity.shape[1])
    order = np.argsort(-similarity, axis=1, kind='stable')[:, :k]
    weights = np.exp(np.take_along_axis(similarity, order, 1) / temperature)
    num_classes = num_classes or int(gallery_labels.max()) + 1
    scores = np.zeros((len(similarity), num_classes))
    np.add.at(scores, (np.arange(len(similarity))[:, None],
                       gallery_labels[order]), weights)
    return scores


@METRICS.register_module()
class KNNAccMetric(VideoFeatureMetric):
    """Top-1 accuracy of weighted kNN on frozen features (test vs train).

    Samples as :class:`VideoFeatureMetric` takes them (``subset``
    ``'gallery'``: labelled training videos; ``'query'``: test videos).

    Args:
        k (int): neighbours. Defaults to 20 (Wu et al., DINO).
        temperature (float): T of the vote weights. Defaults to 0.07.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): defaults to ``'knn'``; the metric is
            ``knn/top1``, a fraction in [0, 1].
    """
    default_prefix = 'knn'

    def __init__(self, k=20, temperature=0.07, collect_device='cpu',
                 prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if int(k) < 1 or temperature <= 0:
            raise ValueError(f'KNNAccMetric: k must be >= 1 and temperature '
                             f'> 0, got k={k}, temperature={temperature}')
        self.k = int(k)
        self.temperature = float(temperature)

    def compute_from_features(self, query, query_labels, gallery,
                              gallery_labels):
        scores = knn_predict(
            query, gallery, gallery_labels, self.k, self.temperature,
            num_classes=int(max(query_labels.max(), gallery_labels.max())) + 1)
        top1 = float((scores.argmax(1) == query_labels).mean())
        print_log(
            f'kNN: {len(query_labels)} queries, {len(gallery_labels)} '
            f'labelled gallery videos, k={min(self.k, len(gallery_labels))}, '
            f'T={self.temperature}: top-1 {top1 * 100:.2f}%',
            logger='current')
        return dict(top1=top1)
