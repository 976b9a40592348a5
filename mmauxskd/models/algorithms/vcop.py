"""VCOP: Video Clip Order Prediction (Xu et al., CVPR 2019).

A shared 3D backbone encodes each of ``n`` clips sampled in a shuffled order
(:class:`~mmauxskd.datasets.transforms.ClipOrderSampler`);
:class:`~mmauxskd.models.heads.VCOPHead` predicts the order among the n!
permutations. See docs/pretexts.md.
"""
from mmaction.registry import MODELS

from .base import BasePretext

__all__ = ['VCOP']


@MODELS.register_module()
class VCOP(BasePretext):
    r"""Backbone (shared by the clips) + :class:`VCOPHead`.

    Module names: ``backbone.*`` (what a finetuning ``Recognizer3D`` loads,
    e.g. ``tools/train.py --pretrained``) and ``head.fc_pair.*`` /
    ``head.fc_order.*`` (ignored there).

    Shapes: inputs ``(N, n, C, T, H, W)`` from the data preprocessor
    (``FormatShape('NCTHW')`` with ``num_clips = n``) -> folded into the
    batch ``(N n, C, T, H, W)`` -> backbone ``(N n, C', T', H', W')`` ->
    ``(N, n, C', T', H', W')`` -> head: logits ``(N, n!)``.

    ``forward`` modes (:class:`BasePretext`'s, on the head): ``'loss'`` ->
    ``dict(loss_order, acc_order)``, ``'predict'`` -> data samples with
    ``pred_order_{score,label}``, ``'tensor'`` -> logits ``(N, n!)``.

    Args: as :class:`BasePretext` (``head``: a ``VCOPHead`` config; no
    neck).
    """

    def extract_feat(self, inputs):
        """``(N, n, C, T, H, W)`` -> per-clip features ``(N, n, C', ...)``."""
        if inputs.dim() != 6:
            raise ValueError('VCOP expects (N, num_clips, C, T, H, W) '
                             f'inputs, got {tuple(inputs.shape)}')
        n = inputs.shape[:2]
        feats = self.backbone(inputs.flatten(0, 1))
        return feats.view(*n, *feats.shape[1:])
