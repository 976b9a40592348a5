"""The instance readout of a contrastive or distillation stage: does a
held-out video's view find the same video's other view?

auxSKD, RSPNet's appearance task, MLFO's instance branch and Vi²CLR learn
to bring two views of one video together and to push other videos away;
none of them has a class to predict. :class:`InstanceRetrievalMetric`
scores that on held-out unlabelled videos: two views of each video, drawn
and augmented as the stage draws them in training, the same in every run
(:class:`~mmauxskd.datasets.transforms.SeededViews`, built by
:func:`mmauxskd.cfg.instance_val`), embedded by the model's ``predict``
(``view_embeddings``); each view is a query against every video's other
view, by cosine similarity, and a hit is its own video's view ranked first.
Chance is one over the number of videos. Beside top-1, the views' cosine
gap (:func:`cosine_gaps`): how much nearer a video's two views are than
other videos'. :func:`instance_readout` scores a
model's random initialisation the same way (the baseline the demo prints).
"""
from collections import defaultdict

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmaction.registry import METRICS

from ..datasets.transforms.seeded_views import SEED_KEY
from .retrieval import unit_rows  # a zero vector: every cosine 0

__all__ = ['InstanceRetrievalMetric', 'instance_top1', 'cosine_gaps',
           'instance_readout',
           'instance_parts', 'TIE_TOLERANCE']

#: cosine similarities this close to a query's best count as tied with it
#: (float64 cosines of the same vectors computed in another order differ
#: by ~1e-16; a trained or random embedding's neighbours by > 1e-6)
TIE_TOLERANCE = 1e-9


def instance_top1(first, second):
    """Top-1 of each view among all videos' other views.

    Row ``i`` of ``first`` and of ``second`` are two views of video ``i``.
    Each row of ``first`` queries all rows of ``second`` and each row of
    ``second`` all rows of ``first`` (``2 N`` queries), by cosine
    similarity. A query scores 1 when its own video's view is the only
    best one; when ``t`` views tie for best (within
    :data:`TIE_TOLERANCE`) and its own is among them, ``1 / t`` (the
    expected hit of a random tie-break): a model that maps every video to
    the same point scores chance, ``1 / N``, not 1 or 0.

    Args:
        first, second (array-like): ``(N, D)`` embeddings, ``N >= 2``.

    Returns:
        float: the mean over the ``2 N`` queries.
    """
    a, b = unit_rows(first), unit_rows(second)
    if a.shape != b.shape or a.ndim != 2 or len(a) < 2:
        raise ValueError('instance_top1 needs two (N, D) arrays with N >= 2, '
                         f'got {a.shape} and {b.shape}')
    sim = a @ b.T
    credit = []
    for s in (sim, sim.T):
        tied = s >= s.max(axis=1, keepdims=True) - TIE_TOLERANCE
        own = np.diag(tied)
        credit.append(own / tied.sum(axis=1))
    return float(np.concatenate(credit).mean())


def cosine_gaps(first, second):
    """Per video: how much closer its two views are than other videos'.

    ``g_i = cos(a_i, b_i) - mean_{j != i} (cos(a_i, b_j) + cos(a_j, b_i)) /
    2``: 0 for an embedding that does not tell videos apart (a collapsed
    one, or one whose views are as far from each other as from other
    videos), positive when a video's views are nearer each other. Unlike
    top-1 it does not need a view to beat all 31 others: at the demo's scale
    a trained auxSKD student keeps top-1 where its random initialisation
    has it and still opens the gap (docs/evaluation.md#instance-readout).

    Args:
        first, second (array-like): ``(N, D)``, row ``i`` two views of video
            ``i``, ``N >= 2``.

    Returns:
        numpy.ndarray: ``(N,)``.
    """
    a, b = unit_rows(first), unit_rows(second)
    sim = a @ b.T
    n = len(sim)
    others = (sim.sum(1) + sim.sum(0) - 2 * np.diag(sim)) / (2 * (n - 1))
    return np.diag(sim) - others


@METRICS.register_module()
class InstanceRetrievalMetric(BaseMetric):
    """Top-1 instance retrieval between two views of held-out videos.

    Scores the samples that carry ``instance_seed`` (those a
    :class:`~mmauxskd.datasets.transforms.SeededViews` pipeline made) and
    leaves the others (a stage's own-task samples in the same validation)
    to their metric. Each must carry ``view_embeddings`` ``(V >= 2, D)``
    from the model's ``predict`` (views 0 and 1 are compared) and
    ``sample_idx`` (its video, ``PackActionInputs(meta_keys=(...,
    'sample_idx'))``). The videos of one seed are one gallery; with several
    seeds, each seed's gallery is scored on its own and the queries pooled.

    Metrics (prefix ``instance``): ``top1`` (see :func:`instance_top1`),
    ``chance`` (one over the videos of a gallery, averaged over the
    queries), ``videos`` (distinct videos), ``pairs`` (video x seed
    pairs: the number of independent draws behind ``top1``), and
    ``cos_gap`` with its standard error ``cos_gap_se`` (the mean of
    :func:`cosine_gaps` over the pairs; 0 when the embedding tells no
    video from another).

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): defaults to ``'instance'``.
    """
    default_prefix = 'instance'

    def process(self, data_batch, data_samples):
        for i, sample in enumerate(data_samples):
            if SEED_KEY not in sample:
                continue
            for key in ('view_embeddings', 'sample_idx'):
                if key not in sample:
                    raise KeyError(
                        f'InstanceRetrievalMetric: sample {i} has no {key!r}; '
                        'the model must set view_embeddings in predict and '
                        "the pipeline pack sample_idx (mmauxskd.cfg."
                        'instance_val builds both)')
            emb = torch.as_tensor(sample['view_embeddings']).detach()
            if emb.dim() != 2 or emb.shape[0] < 2:
                raise ValueError('InstanceRetrievalMetric: view_embeddings '
                                 'must be (views >= 2, D), got '
                                 f'{tuple(emb.shape)}')
            self.results.append(dict(
                seed=int(sample[SEED_KEY]), video=int(sample['sample_idx']),
                views=emb[:2].cpu().double().numpy()))

    def compute_metrics(self, results):
        galleries = defaultdict(dict)
        for r in results:
            galleries[r['seed']][r['video']] = r['views']
        hits, chance, queries, gaps = 0.0, 0.0, 0, []
        for seed, videos in sorted(galleries.items()):
            if len(videos) < 2:
                raise ValueError(
                    f'InstanceRetrievalMetric: seed {seed} has {len(videos)} '
                    'video; retrieval needs at least 2')
            views = np.stack([videos[v] for v in sorted(videos)])
            n = 2 * len(videos)
            hits += instance_top1(views[:, 0], views[:, 1]) * n
            chance += n / len(videos)
            queries += n
            gaps.append(cosine_gaps(views[:, 0], views[:, 1]))
        if not queries:
            raise ValueError('InstanceRetrievalMetric: no sample carries '
                             f'{SEED_KEY!r}; build the validation with '
                             'mmauxskd.cfg.instance_val')
        gaps = np.concatenate(gaps)
        metrics = dict(top1=hits / queries, chance=chance / queries,
                       videos=len({r['video'] for r in results}),
                       pairs=len(results), cos_gap=float(gaps.mean()),
                       cos_gap_se=float(gaps.std(ddof=1) / np.sqrt(len(gaps))))
        print_log(f'instance readout: top-1 {metrics["top1"]:.4f} over '
                  f'{metrics["videos"]} held-out videos (chance '
                  f'{metrics["chance"]:.4f}); views\' cosine gap '
                  f'{metrics["cos_gap"]:.4f} +- {metrics["cos_gap_se"]:.4f}',
                  logger='current')
        return metrics


def instance_parts(cfg):
    """The instance readout of a config's validation: ``(loader, metric)``
    configs, the loader a copy of ``val_dataloader`` with only its
    datasets whose pipeline holds ``SeededViews``; ``(None, None)`` when
    the validation has no ``InstanceRetrievalMetric`` or no such dataset."""
    import copy
    specs = cfg.get('val_evaluator') or []
    specs = [s for s in (specs if isinstance(specs, (list, tuple))
                         else [specs])
             if s.get('type') == 'InstanceRetrievalMetric']
    loader = copy.deepcopy(cfg.get('val_dataloader') or {})
    dataset = loader.get('dataset') or {}
    keep = [d for d in dataset.get('datasets', [dataset])
            if any(t['type'] == 'SeededViews'
                   for t in d.get('pipeline', []))]
    if not specs or not keep:
        return None, None
    loader['dataset'] = dict(type='ConcatDataset', datasets=keep)
    return loader, specs[0]


def instance_readout(cfg, seed=0):
    """The instance readout of ``cfg``'s validation for the model's random
    initialisation: every generator seeded with ``seed`` (as a run with
    that seed starts), the model built and ``init_weights()``. Only the
    validation's instance part is run (:func:`instance_loader`), so it is
    cheap next to the stage: the baseline the demo prints beside a trained
    stage's figure.

    Returns:
        dict: ``{'instance/top1': ..., 'instance/chance': ..., ...}``.

    Raises:
        KeyError: the config's validation has no instance readout.
    """
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, set_random_seed
    from mmaction.registry import MODELS
    loader_cfg, spec = instance_parts(cfg)
    if spec is None:
        raise KeyError('instance_readout: the config\'s validation has no '
                       'instance readout (mmauxskd.cfg.instance_val)')
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    set_random_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if torch.cuda.is_available():
        model = model.cuda()
    model.eval()
    metric = METRICS.build({k: v for k, v in spec.items()
                            if k != '_delete_'})
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    with torch.no_grad():
        for batch in loader:
            outputs = model.val_step(batch)
            metric.process(batch, [o.to_dict() for o in outputs])
    return metric.evaluate(len(loader.dataset))
