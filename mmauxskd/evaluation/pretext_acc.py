"""A pretext stage's accuracy on its own task, on held-out clips.

A pretext stage that did not learn its task hands the next stage a
reshaped random initialisation; its training loss alone does not show
that, and training-batch accuracy flatters it. :class:`PretextAccMetric`
scores the model's ``predict`` outputs (``pred_<task>_label``) against the
sampler's labels (``<task>_label``) on a validation split of unlabelled
videos that training never saw.
"""
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmaction.registry import METRICS

from ..datasets.transforms.seeded_views import SEED_KEY

__all__ = ['PretextAccMetric']


@METRICS.register_module()
class PretextAccMetric(BaseMetric):
    """Accuracy per pretext task: ``pretext/acc_<task>``.

    Each data sample must carry ``pred_<task>_label`` (from the model's
    ``predict`` mode) and ``<task>_label`` (from the sampler, packed with
    ``PackActionInputs(algorithm_keys=...)``) for every task. Labels equal
    to ``ignore_index`` (e.g. VSPP's segment label of an unaltered clip)
    are left out of that task's accuracy. Chance is reported beside it
    (``pretext/chance_<task>``: one over the number of classes of the
    prediction scores, where available), and the number of clips scored
    (``pretext/count_<task>``; with chance, what
    :func:`~mmauxskd.evaluation.stage_findings` needs to say whether the
    stage stayed at chance). Samples of an instance readout in the same
    validation (they carry ``instance_seed``) are left to
    :class:`InstanceRetrievalMetric`.

    Args:
        tasks (tuple[str]): e.g. ``('pace', 'segment')`` for VSPP,
            ``('order', )`` for VCOP, ``('speed', )`` for RSPNet.
        ignore_index (int): label to leave out. Defaults to -1.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): defaults to ``'pretext'``.
    """
    default_prefix = 'pretext'

    def __init__(self, tasks, ignore_index=-1, collect_device='cpu',
                 prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(tasks, str) or not tasks:
            raise ValueError(f'PretextAccMetric: tasks must be a non-empty '
                             f'list of names, got {tasks!r}')
        self.tasks = tuple(tasks)
        self.ignore_index = ignore_index

    def process(self, data_batch, data_samples):
        for i, sample in enumerate(data_samples):
            if SEED_KEY in sample:  # InstanceRetrievalMetric's
                continue
            result = {}
            for task in self.tasks:
                for key in (f'pred_{task}_label', f'{task}_label'):
                    if key not in sample:
                        raise KeyError(
                            f'PretextAccMetric: sample {i} has no {key!r}; '
                            'the model must predict it and the pipeline '
                            f"pack it (algorithm_keys=('{task}_label', ...))")
                result[task] = (int(sample[f'pred_{task}_label']),
                                int(sample[f'{task}_label']))
                score = sample.get(f'pred_{task}_score')
                if score is not None:
                    result[f'{task}_classes'] = int(
                        torch.as_tensor(score).numel())
            self.results.append(result)

    def compute_metrics(self, results):
        metrics = {}
        for task in self.tasks:
            pairs = np.array([r[task] for r in results]).reshape(-1, 2)
            pairs = pairs[pairs[:, 1] != self.ignore_index]
            metrics[f'acc_{task}'] = (float((pairs[:, 0] == pairs[:, 1]).mean())
                                      if len(pairs) else float('nan'))
            metrics[f'count_{task}'] = len(pairs)
            classes = [r[f'{task}_classes'] for r in results
                       if f'{task}_classes' in r]
            if classes:
                metrics[f'chance_{task}'] = 1.0 / classes[0]
            print_log(
                f'pretext task {task!r}: accuracy {metrics[f"acc_{task}"]:.4f} '
                f'on {len(pairs)} held-out clips', logger='current')
        return metrics
