"""VSPP: Video Segment Pace Prediction (paper §3.2, Eq. 4 and 5).

Dadashzadeh et al., "Auxiliary Learning for Self-Supervised Video
Representation via Similarity-based Knowledge Distillation", CVPRW 2022.
A 3D backbone sees a clip in which one of Z segments plays at pace λ
(:class:`~mmauxskd.datasets.transforms.SegmentPaceSampler`) and two linear
heads predict λ and the segment (:class:`~mmauxskd.models.heads.VSPPHead`).
See docs/vspp.md.
"""
from mmengine.model import BaseModel
from mmaction.registry import MODELS

__all__ = ['VSPP']


@MODELS.register_module()
class VSPP(BaseModel):
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

    ``forward`` modes (mmengine): ``'loss'`` -> ``dict(loss_pace,
    loss_segment, acc_pace, acc_segment)`` (the Runner sums the ``loss_*``
    and logs all four), ``'predict'`` -> data samples with
    ``pred_{pace,segment}_{score,label}``, ``'tensor'`` -> ``dict(pace=...,
    segment=...)`` logits.

    Args:
        backbone (dict): any MMAction2 3D backbone config.
        head (dict): ``VSPPHead`` config.
        data_preprocessor (dict, optional): defaults to
            ``ActionDataPreprocessor(format_shape='NCTHW')``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone, head, data_preprocessor=None, init_cfg=None):
        # built from mmaction's registry (mmengine's would need the scope)
        super().__init__(
            data_preprocessor=MODELS.build(data_preprocessor or dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)

    def extract_feat(self, inputs):
        """``(N, [1,] C, T, H, W)`` -> backbone features ``(N, C', ...)``."""
        if inputs.dim() == 6:  # (N, num_clips, C, T, H, W)
            inputs = inputs.flatten(0, 1)
        return self.backbone(inputs)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        feats = self.extract_feat(inputs)
        if mode == 'tensor':
            return self.head(feats)
        if mode == 'loss':
            return self.head.loss(feats, data_samples)
        if mode == 'predict':
            return self.head.predict(feats, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"; VSPP supports '
                           "'tensor', 'loss' and 'predict'")
