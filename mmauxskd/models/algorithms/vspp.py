"""VSPP: Video Segment Pace Prediction (paper §3.2, Eq. 4 and 5).

Dadashzadeh et al., "Auxiliary Learning for Self-Supervised Video
Representation via Similarity-based Knowledge Distillation", CVPRW 2022.
A 3D backbone sees a clip in which one of Z segments plays at pace λ
(:class:`~mmauxskd.datasets.transforms.SegmentPaceSampler`) and two linear
heads predict λ and the segment (:class:`~mmauxskd.models.heads.VSPPHead`).
See docs/vspp.md.
"""
from mmaction.registry import MODELS

from .base import BasePretext

__all__ = ['VSPP']


@MODELS.register_module()
class VSPP(BasePretext):
    r"""Backbone + :class:`VSPPHead`, trained with Eq. 5.

    Module names (the checkpoint's key prefixes): ``backbone.*``, the part a
    finetuning ``Recognizer3D`` loads with
    ``init_cfg=dict(type='Pretrained', checkpoint=CKPT)`` (tensors whose
    names and shapes match; its ``cls_head`` stays random), and
    ``head.fc_pace.*`` / ``head.fc_segment.*``, which it ignores.

    Shapes: inputs ``(N, 1, C, T, H, W)`` from the data preprocessor (one
    clip per sample; ``(N, C, T, H, W)`` is accepted too) -> backbone
    features ``(N, C', T', H', W')`` -> pace logits ``(N, Q)`` and segment
    logits ``(N, Z)``.

    ``forward`` modes (:class:`BasePretext`'s, on the head): ``'loss'`` ->
    ``dict(loss_pace, loss_segment, acc_pace, acc_segment)`` (the Runner
    sums the ``loss_*`` and logs all four), ``'predict'`` -> data samples
    with ``pred_{pace,segment}_{score,label}``, ``'tensor'`` ->
    ``dict(pace=..., segment=...)`` logits.

    Args: as :class:`BasePretext` (``head``: a ``VSPPHead`` config; no
    neck).
    """
