"""RSPNet: relative speed perception + appearance-focused instance
discrimination (Chen et al., AAAI 2021).

See docs/pretexts.md#rspnet and :mod:`..datasets.transforms.relative_speed`.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils import MomentumContrast
from .base import (BasePretext, instance_samples, set_view_embeddings,
                   split_views)

__all__ = ['RSPNet']

# checkpoints written before version 2 named the key encoder ``teacher``
# (children 0, 1, 2 of a Sequential-like module) and the queue
# ``anchor_queue``; version 2 held ``key_encoder`` and ``queue`` as modules
# of their own, now the parts of one MomentumContrast
_KEY_ENCODER = 'momentum_contrast.encoder.'
_V1_KEYS = (('teacher.module.0.', _KEY_ENCODER + 'module.backbone.'),
            ('teacher.module.1.', _KEY_ENCODER + 'module.neck.'),
            ('teacher.module.2.', _KEY_ENCODER + 'module.speed_neck.'),
            ('teacher.', _KEY_ENCODER),
            ('anchor_queue.', 'momentum_contrast.queue.'))
_V2_KEYS = (('key_encoder.', _KEY_ENCODER),
            ('queue.', 'momentum_contrast.queue.'))


@MODELS.register_module()
class RSPNet(BasePretext):
    """Query encoder, EMA key encoder, two 128-d heads, a key queue.

    Inputs ``(B, 3, C, T, H, W)`` from :class:`RelativeSpeedSampler`:
    anchor, positive (same speed), negative (other speed). With the
    L2-normalised embeddings ``q`` of the anchor (query encoder) and ``k+``
    / ``k-`` of the positive / negative (key encoder, no gradient):

    * **A** (appearance, InfoNCE): ``q_A`` against ``k+_A`` and ``k-_A``
      (both clips of the anchor's video, whatever their speed) with the
      queue as negatives;
    * **M** (speed): margin ranking of ``q_M . k+_M`` over ``q_M . k-_M``.

    ``head`` (:class:`RSPNetHead`) computes both; ``loss = loss_A +
    loss_M``. The negatives' keys ``k-_A`` are enqueued, as in the authors'
    code. Module names (checkpoint prefixes): ``backbone.*`` (the query
    encoder, what ``--pretrained`` transfers), ``neck.*`` (appearance
    projection), ``speed_neck.*`` (speed projection),
    ``momentum_contrast.encoder.module.{backbone,neck,speed_neck}.*`` and
    ``momentum_contrast.encoder.steps`` (the key encoder, an EMA copy of
    the three) and ``momentum_contrast.queue.*`` (the A queue): a
    :class:`MomentumContrast`, driven by :class:`MomentumTeacherHook` and
    :class:`AnchorQueueHook` as for :class:`AuxSKD`. Checkpoints written
    before these names (version 1: ``teacher.module.{0,1,2}.*``,
    ``anchor_queue.*``; version 2: ``key_encoder.*``, ``queue.*``) load
    unchanged: :data:`_V1_KEYS` / :data:`_V2_KEYS` rename their keys.

    Args:
        backbone (dict): encoder, e.g. ``ResNet2Plus1d``.
        neck (dict): appearance projection (512 -> 128; a single Linear
            in the authors' default, an MLP as an option).
        speed_neck (dict): speed projection (idem).
        head (dict): the losses, :class:`RSPNetHead` (temperature 0.07,
            margin 2.0 by default).
        queue_size (int): keys in the queue. Defaults to 16384.
        feat_dim (int): embedding size. Defaults to 128.
        momentum (float): the query encoder's weight in the key encoder's
            EMA, 1 - m (mmengine's and mmpretrain's convention; the paper's
            m = 0.999 is 0.001), in [0, 0.5]. Defaults to 0.001.
        check_hooks (bool): fail when a hook did not run. Defaults to True.
        data_preprocessor (dict, optional): see :class:`BasePretext`.
        init_cfg (dict, optional): mmengine init config.
    """

    _version = 3
    _legacy_keys = {1: _V1_KEYS, 2: _V2_KEYS}

    def __init__(self, backbone, neck, speed_neck,
                 head=dict(type='RSPNetHead'), queue_size=16384,
                 feat_dim=128, momentum=0.001, check_hooks=True,
                 data_preprocessor=None, init_cfg=None):
        super().__init__(backbone, head, neck=neck,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.speed_neck = MODELS.build(speed_neck)
        self.momentum_contrast = MomentumContrast(
            self.query_encoder, momentum, queue_size, feat_dim)
        self.check_hooks = check_hooks

    def query_encoder(self):
        """The backbone and both projections as one module (built on demand:
        storing it would register them twice)."""
        return nn.ModuleDict(dict(backbone=self.backbone, neck=self.neck,
                                  speed_neck=self.speed_neck))

    @staticmethod
    def embed(encoder, clips):
        """L2-normalised ``(z_A, z_M)``, each ``(N, feat_dim)``, of clips
        ``(N, C, T, H, W)`` by ``encoder`` (the query or the key encoder's
        ``backbone``, ``neck``, ``speed_neck``)."""
        feat = encoder['backbone'](clips)
        return (F.normalize(encoder['neck'](feat).float(), dim=1),
                F.normalize(encoder['speed_neck'](feat).float(), dim=1))

    def init_weights(self):
        """Initialise the query encoder, then copy it to the key encoder."""
        super().init_weights()
        self.momentum_contrast.reset()

    @staticmethod
    def _split_views(inputs):
        return split_views(inputs, 3, 'RSPNet', 'anchor, positive, negative '
                           'from RelativeSpeedSampler')

    def _keys(self, pos, negative):
        """Key-encoder embeddings ``(k+_A, k-_A), (k+_M, k-_M)``."""
        with torch.no_grad():
            k_a, k_m = self.embed(self.momentum_contrast.encoder.module,
                                  torch.cat([pos, negative]))
        return k_a.chunk(2), k_m.chunk(2)

    def loss(self, inputs, data_samples=None):
        """loss_A + loss_M on one batch (the queue as it was before the
        batch); the negatives' keys ``k-_A`` are kept for the queue."""
        anchor, pos, negative = self._split_views(inputs)
        keys = self.momentum_contrast
        if self.training and self.check_hooks:
            keys.require_hooks()
        q_a, q_m = self.embed(self.query_encoder(), anchor)
        (kp_a, kn_a), (kp_m, kn_m) = self._keys(pos, negative)
        losses = self.head.loss(q_a, torch.stack([kp_a, kn_a], 1),
                                keys.queue.bank, q_m, kp_m, kn_m)
        if self.training:  # for AnchorQueueHook
            keys.enqueue_later(kn_a)
        return losses

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        """Relative speed perception on held-out triplets (no training).

        Sets ``pred_relspeed_label``: 0 when the anchor's speed embedding
        ``q_M`` is closer to the same-speed clip's key ``k+_M`` than to the
        other-speed clip's ``k-_M`` (what ``loss_M`` trains), else 1;
        ``relspeed_label`` = 0, the truth by construction of the triplet;
        and ``pred_relspeed_score``, both similarities.
        ``PretextAccMetric(tasks=('relspeed', ))`` scores it (chance 0.5).

        The instance readout's samples (:func:`mmauxskd.cfg.pretext_val`'s
        ``instance_draws``) get ``view_embeddings`` too: the appearance
        embeddings ``q_A`` of the anchor and of the same-speed clip (the
        other window), both by the query encoder, the one finetuning takes
        (``InstanceRetrievalMetric``).
        """
        anchor, pos, negative = self._split_views(inputs)
        feat = self.backbone(anchor)
        q_m = F.normalize(self.speed_neck(feat).float(), dim=1)
        _, (kp_m, kn_m) = self._keys(pos, negative)
        closer = self.head.closer_to_positive(q_m, kp_m, kn_m).long()
        scores = torch.stack([(q_m * kp_m).sum(1), (q_m * kn_m).sum(1)], 1)
        for sample, hit, score in zip(data_samples, closer, scores.cpu()):
            sample.set_field(1 - hit, 'pred_relspeed_label')
            sample.set_field(0, 'relspeed_label')
            sample.set_field(score, 'pred_relspeed_score')
        index = instance_samples(data_samples)
        if index:
            set_view_embeddings(data_samples, index, self.neck(feat[index]),
                                self.neck(self.backbone(pos[index])))
        return data_samples

    def _forward(self, inputs, data_samples=None):
        """Query backbone features of the clips, folded into the batch."""
        return self.extract_feat(inputs)
