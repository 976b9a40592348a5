"""Nearest-neighbour video retrieval (the protocol of VCOP and RSPNet).

Each video is represented by the frozen backbone's features, globally
average-pooled and averaged over the test clips (10 uniform clips in our
test pipelines). Test videos are the queries, training videos the gallery;
gallery videos are ranked by cosine similarity to the query, and R@k is the
fraction of queries with at least one gallery video of the query's class
among the k nearest. ``tools/analysis/retrieval.py`` runs the protocol from
a config and a checkpoint.
"""
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmaction.registry import METRICS

__all__ = ['recall_at_k', 'cosine_similarity', 'VideoFeatureMetric',
           'VideoRetrievalMetric', 'extract_video_features']


def unit_rows(x):
    """Rows of ``x`` (float64) scaled to unit L2 norm."""
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def cosine_similarity(query, query_labels, gallery, gallery_labels):
    """``(Q, G)`` cosine similarities and the labels as flat arrays.

    Raises:
        ValueError: no query or no gallery video.
    """
    if len(query) == 0 or len(gallery) == 0:
        raise ValueError(f'needs queries and a gallery, got {len(query)} '
                         f'and {len(gallery)}')
    return (unit_rows(query) @ unit_rows(gallery).T,
            np.asarray(query_labels).reshape(-1),
            np.asarray(gallery_labels).reshape(-1))


def recall_at_k(query, query_labels, gallery, gallery_labels,
                topk=(1, 5, 10, 20)):
    """R@k of cosine-similarity retrieval.

    Args:
        query (array): (Q, D) query features.
        query_labels (array): (Q,) their classes.
        gallery (array): (G, D) gallery features.
        gallery_labels (array): (G,) their classes.
        topk (tuple[int]): the k values; a k above G counts as G.

    Returns:
        dict: ``{k: recall in [0, 1]}``. Similarity ties keep the gallery
        order.
    """
    similarity, query_labels, gallery_labels = cosine_similarity(
        query, query_labels, gallery, gallery_labels)
    order = np.argsort(-similarity, axis=1, kind='stable')
    hits = gallery_labels[order] == query_labels[:, None]  # (Q, G)
    return {k: float(hits[:, :k].any(axis=1).mean()) for k in topk}


class VideoFeatureMetric(BaseMetric):
    """Base of the metrics on frozen video features (retrieval, kNN).

    Each processed sample is a dict with ``feat`` (the video's feature),
    ``gt_label`` and ``subset`` (``'query'``: a test video; ``'gallery'``:
    a training video), as written by :func:`extract_video_features` through
    :func:`~mmauxskd.evaluation.evaluate_frozen_backbone`. Subclasses
    implement :meth:`compute_from_features`.
    """

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            if 'feat' not in sample:
                raise KeyError(
                    f'{type(self).__name__} needs video features (a "feat" '
                    'field), which classifier predictions do not carry; run '
                    'tools/analysis/retrieval.py CONFIG CHECKPOINT')
            label = sample['gt_label']
            self.results.append(dict(
                feat=np.asarray(torch.as_tensor(sample['feat']).cpu(),
                                dtype=np.float32),
                label=int(torch.as_tensor(label).reshape(-1)[0]),
                subset=sample.get('subset', 'query')))

    def compute_metrics(self, results):
        parts = {}
        for subset in ('query', 'gallery'):
            chosen = [r for r in results if r['subset'] == subset]
            parts[subset] = (np.stack([r['feat'] for r in chosen])
                             if chosen else np.zeros((0, 0)),
                             np.array([r['label'] for r in chosen]))
        return self.compute_from_features(*parts['query'], *parts['gallery'])

    def compute_from_features(self, query, query_labels, gallery,
                              gallery_labels):
        raise NotImplementedError


@METRICS.register_module()
class VideoRetrievalMetric(VideoFeatureMetric):
    """R@k of video retrieval, test videos against training videos.

    Samples as :class:`VideoFeatureMetric` takes them.

    Args:
        topk (tuple[int]): the k of R@k. Defaults to (1, 5, 10, 20).
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): defaults to ``'retrieval'``; the metrics are
            ``retrieval/R@1`` etc., fractions in [0, 1].
    """
    default_prefix = 'retrieval'

    def __init__(self, topk=(1, 5, 10, 20), collect_device='cpu',
                 prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(int(k) for k in topk)

    def compute_from_features(self, query, query_labels, gallery,
                              gallery_labels):
        recalls = recall_at_k(query, query_labels, gallery, gallery_labels,
                              self.topk)
        print_log(
            f'retrieval: {len(query_labels)} queries, '
            f'{len(gallery_labels)} gallery videos, cosine similarity; '
            + ', '.join(f'R@{k} {v * 100:.2f}%' for k, v in recalls.items()),
            logger='current')
        return {f'R@{k}': v for k, v in recalls.items()}


@torch.no_grad()
def extract_video_features(model, dataloader, progress=True):
    """Backbone features of every video of ``dataloader``, clip-averaged.

    Args:
        model: a Recognizer3D (any model whose ``extract_feat(inputs,
            stage='backbone')`` returns (N * clips, C, ...) features for
            inputs of shape (N, clips, C, T, H, W)), or a Recognizer2D
            (inputs (N, frames, C, H, W)).
        dataloader: yields ``dict(inputs=..., data_samples=...)``.

    Returns:
        tuple: (V, C) float32 features and (V,) labels.
    """
    from mmengine.utils import ProgressBar
    model.eval()
    feats, labels = [], []
    bar = ProgressBar(len(dataloader.dataset)) if progress else None
    for data in dataloader:
        data = model.data_preprocessor(data, False)
        inputs = data['inputs']
        if inputs.ndim not in (5, 6):  # NCHW: a Recognizer2D's frames
            raise ValueError(
                'expected inputs (N, clips, C, T, H, W) from an NCTHW '
                'pipeline or (N, frames, C, H, W) from an NCHW one, got '
                f'shape {tuple(inputs.shape)}')
        x = model.extract_feat(inputs, stage='backbone')[0]
        if isinstance(x, (tuple, list)):
            x = x[-1]
        x = x.flatten(2).mean(-1)  # global average pool: (N * clips, C)
        x = x.view(inputs.shape[0], inputs.shape[1], -1).mean(1)
        feats.append(x.float().cpu())
        labels += [int(s.gt_label.reshape(-1)[0])
                   for s in data['data_samples']]
        if bar is not None:
            bar.update(len(x))
    if bar is not None:
        print()
    return torch.cat(feats).numpy(), np.array(labels)
