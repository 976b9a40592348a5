"""Readouts of a frozen backbone from video features: retrieval and kNN.

:func:`evaluate_frozen_backbone` is what ``tools/analysis/retrieval.py``,
``tools/analysis/knn.py`` and ``tools/run_demo.py`` run: one feature pass
over ``gallery_dataloader`` (labelled training videos) and
``test_dataloader`` (the queries), then every feature metric of
``test_evaluator`` (:class:`VideoRetrievalMetric`, :class:`KNNAccMetric`,
or a list of both).
"""
import torch
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmaction.registry import METRICS, MODELS

from ..utils.checkpoint import load_backbone_weights
from .retrieval import VideoFeatureMetric, extract_video_features

__all__ = ['build_feature_metrics', 'evaluate_frozen_backbone',
           'frozen_features', 'score_features']


def build_feature_metrics(cfg, **overrides):
    """The config's ``test_evaluator`` (one metric or a list), each a
    :class:`VideoFeatureMetric`; ``overrides`` update every metric's
    arguments that it has (e.g. ``topk``, ``k``)."""
    specs = cfg.get('test_evaluator') or dict(type='VideoRetrievalMetric')
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    metrics = []
    for spec in specs:
        spec = dict(spec)
        cls = METRICS.get(spec['type'])
        if cls is None or not issubclass(cls, VideoFeatureMetric):
            raise ValueError(
                f'test_evaluator {spec["type"]!r} is not a feature metric '
                '(VideoRetrievalMetric, KNNAccMetric); use a '
                'configs/retrieval/* or configs/knn/* config')
        spec.update({k: v for k, v in overrides.items() if v is not None
                     and k in cls.__init__.__code__.co_varnames})
        metrics.append(METRICS.build(spec))
    return metrics


def frozen_features(cfg, checkpoint, loaders, prefix='backbone.',
                    progress=True, allow_partial=False):
    """Clip-averaged features of a frozen backbone for several loaders.

    Args:
        cfg (Config): with ``model`` (a Recognizer3D; only its backbone is
            used, in eval mode).
        checkpoint (str): a pretext or finetuned checkpoint whose
            ``prefix*`` tensors are loaded, or ``'none'`` for the random
            initialisation (a baseline).
        loaders (dict): name -> dataloader config (10-clip test pipeline).
        prefix (str): name prefix of the backbone tensors.
        progress (bool): show a progress bar.
        allow_partial (bool): read out even if the checkpoint lacks some
            backbone tensors (or holds them in another shape): those stay
            random, with a warning. Otherwise that is a
            :class:`~mmauxskd.utils.checkpoint.CheckpointMismatchError`.

    Returns:
        dict: name -> ``(features (V, C), labels (V,))``.
    """
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    if str(checkpoint).lower() == 'none':
        model.init_weights()
        print_log('no checkpoint: random backbone (a baseline)',
                  logger='current', level=30)
    else:
        load_backbone_weights(model, checkpoint, prefix, allow_partial)
    if torch.cuda.is_available():
        model = model.cuda()
    feats = {}
    for name, loader_cfg in loaders.items():
        print_log(f'extracting {name} features', logger='current')
        feats[name] = extract_video_features(
            model, Runner.build_dataloader(loader_cfg), progress)
    return feats


def score_features(metrics, gallery, query):
    """Every feature metric on ``query`` videos against the ``gallery``
    (each a ``(features, labels)`` pair); a dict of all their results."""
    results = {}
    for metric in metrics:
        for subset, (subset_feats, labels) in (('gallery', gallery),
                                               ('query', query)):
            metric.process(None, [
                dict(feat=f, gt_label=label, subset=subset)
                for f, label in zip(subset_feats, labels)])
        results.update(metric.evaluate(len(metric.results)))
    return results


def evaluate_frozen_backbone(cfg, checkpoint, prefix='backbone.',
                             progress=True, allow_partial=False,
                             **overrides):
    """Features of the frozen backbone, then the config's feature metrics.

    Args:
        cfg (Config): with ``model`` (a Recognizer3D; only its backbone is
            used, in eval mode), ``gallery_dataloader``, ``test_dataloader``
            and ``test_evaluator``.
        checkpoint (str): see :func:`frozen_features`.
        prefix (str): name prefix of the backbone tensors.
        progress (bool): show a progress bar.
        allow_partial (bool): see :func:`frozen_features`.
        **overrides: metric arguments, see :func:`build_feature_metrics`.

    Returns:
        tuple: ``(metrics, features)``: ``{'retrieval/R@1': ..., 'knn/top1':
        ...}`` and ``{'gallery': (feats, labels), 'query': (...)}``.
    """
    if 'gallery_dataloader' not in cfg:
        raise KeyError('the config has no gallery_dataloader (the labelled '
                       'training videos); use a configs/retrieval/* or '
                       'configs/knn/* config')
    metrics = build_feature_metrics(cfg, **overrides)
    feats = frozen_features(cfg, checkpoint, dict(
        gallery=cfg.gallery_dataloader, query=cfg.test_dataloader), prefix,
        progress, allow_partial)
    return score_features(metrics, feats['gallery'], feats['query']), feats
