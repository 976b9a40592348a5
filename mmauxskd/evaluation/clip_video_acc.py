"""Clip-level and video-level accuracy of a multi-clip test, in one metric.

A stock recognizer's head averages the clips of a video before the metric
sees them (``average_clips='prob'``: softmax averaged; ``'score'``: logits
averaged), so :class:`~mmauxskd.engine.hooks.ClipScoresHook` keeps each
clip's raw scores next to the prediction during validation and testing, and
:class:`ClipVideoAccMetric` reports:

* ``top1``, ``top5``, ``mean1``: video accuracy from the head's averaged
  prediction (what ``AccMetric`` reports, same keys);
* ``clip_top1``, ``clip_top5``: each clip classified on its own;
* ``video_top1_prob``, ``video_top1_score``: video top-1 with the softmax
  and with the logits averaged over the clips, whatever the head does;

and logs which averaging the head used. Without the hook only the video
accuracy is reported, with a warning.
"""
import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmaction.evaluation.functional import (mean_class_accuracy,
                                            top_k_accuracy)
from mmaction.registry import METRICS

__all__ = ['ClipVideoAccMetric']

_AVERAGING = dict(prob='softmax (probabilities) averaged over the clips',
                  score='logits averaged over the clips')


def _softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


@METRICS.register_module()
class ClipVideoAccMetric(BaseMetric):
    """Video and clip accuracy of a multi-clip test (see the module doc).

    Args:
        topk (tuple[int]): k of the top-k accuracies. Defaults to (1, 5).
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): defaults to ``'acc'``.
    """
    default_prefix = 'acc'

    def __init__(self, topk=(1, 5), collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            result = dict(
                pred=torch.as_tensor(sample['pred_score']).cpu().numpy(),
                label=int(torch.as_tensor(sample['gt_label']).reshape(-1)[0]),
                average_clips=sample.get('average_clips'))
            if 'clip_scores' in sample:
                result['clips'] = torch.as_tensor(
                    sample['clip_scores']).float().cpu().numpy()
            self.results.append(result)

    def _topk(self, scores, labels, prefix):
        accs = top_k_accuracy(list(scores), labels, self.topk)
        return {f'{prefix}top{k}': float(a) for k, a in zip(self.topk, accs)}

    def compute_metrics(self, results):
        labels = np.array([r['label'] for r in results])
        preds = np.stack([r['pred'] for r in results])
        metrics = self._topk(preds, labels, '')
        metrics['mean1'] = float(mean_class_accuracy(list(preds), labels))
        averaging = results[0]['average_clips']
        if not all('clips' in r for r in results):
            print_log(
                'ClipVideoAccMetric: video accuracy only; add '
                "custom_hooks=[..., dict(type='ClipScoresHook')] for the "
                'clip accuracy', logger='current', level=30)
            return metrics
        clips = np.stack([r['clips'] for r in results])  # (V, clips, C)
        num_clips = clips.shape[1]
        metrics.update(self._topk(
            clips.reshape(-1, clips.shape[-1]), np.repeat(labels, num_clips),
            'clip_'))
        for name, video in (('prob', _softmax(clips).mean(1)),
                            ('score', clips.mean(1))):
            metrics[f'video_top1_{name}'] = float(
                top_k_accuracy(list(video), labels, (1, ))[0])
        print_log(
            f'ClipVideoAccMetric: video accuracy (top1, top5, mean1) of '
            f'{len(labels)} videos with {num_clips} clips each, '
            f'average_clips={averaging!r}: '
            f'{_AVERAGING.get(averaging, "as the head does")}; clip accuracy '
            f'(clip_top1, clip_top5): each of the {clips.shape[0] * num_clips}'
            ' clips on its own; video_top1_prob / video_top1_score: softmax / '
            'logits averaged over the clips', logger='current')
        return metrics
