"""auxSKD: similarity-based knowledge distillation with a momentum teacher.

Dadashzadeh et al., "Auxiliary Learning for Self-Supervised Video
Representation via Similarity-based Knowledge Distillation", CVPRW 2022,
§3.1 and Algorithm 1. See docs/auxskd.md.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils import FeatureQueue, MomentumEncoder, check_momentum
from .base import BasePretext

__all__ = ['AuxSKD']


@MODELS.register_module()
class AuxSKD(BasePretext):
    """Student (backbone, projection neck, predictor) and EMA teacher.

    Module names, which are the checkpoint's key prefixes:

    * ``backbone.*``: the student encoder, the part later stages load
      (``init_cfg=dict(type='Pretrained', checkpoint=CKPT)`` loads the
      tensors whose names and shapes match);
    * ``neck.*``: the student's projection to ``feat_dim`` (128);
    * ``predictor.*``: the student's predictor MLP;
    * ``teacher.module.0.*`` / ``teacher.module.1.*``: the teacher's
      backbone and projection, a :class:`MomentumEncoder` of
      ``nn.Sequential(backbone, neck)`` (``teacher.steps`` counts its
      updates);
    * ``anchor_queue.bank`` / ``anchor_queue.ptr``: the memory bank, a
      :class:`FeatureQueue`.

    Inputs: ``(B, 2, C, T, H, W)`` from :class:`TwoViewClips` (after the data
    preprocessor); view 0 goes to the student, view 1 to the teacher, as in
    Algorithm 1 (``z_S`` from v1*, ``z_T`` from v2*). ``(B, 2N, C, T, H, W)``
    (N clips per view) is accepted as well: clip j of view 0 pairs with clip
    j of view 1.

    Training needs two hooks, at the places Algorithm 1 puts them:
    :class:`MomentumTeacherHook` (:meth:`momentum_update`, step 6) and
    :class:`AnchorQueueHook` (the queue's ``enqueue_pending``, step 9). With
    ``check_hooks`` a training forward fails if either did not run, rather
    than train against a frozen teacher or a frozen queue.

    Args:
        backbone (dict): encoder config, e.g. ``ResNet2Plus1d``.
        neck (dict): projection, e.g. ``VideoMLPNeck(512 -> 128)``.
        predictor (dict): predictor, e.g. ``VideoMLPNeck(128 -> 1024 ->
            128, with_avg_pool=False)``.
        head (dict): loss head, ``SimilarityDistillHead``.
        queue_size (int): H, anchors in the memory bank. Defaults to 16384.
        feat_dim (int): embedding size. Defaults to 128.
        momentum (float): m in theta_T <- m theta_T + (1 - m) theta_S, used
            when :meth:`momentum_update` gets none (the hook may schedule
            it). Defaults to 0.999.
        check_hooks (bool): see above. Defaults to True.
        data_preprocessor (dict, optional): see :class:`BasePretext`.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone, neck, predictor, head, queue_size=16384,
                 feat_dim=128, momentum=0.999, check_hooks=True,
                 data_preprocessor=None, init_cfg=None):
        super().__init__(backbone, head, neck=neck,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.predictor = MODELS.build(predictor)
        self.momentum = check_momentum(momentum)
        self.teacher = MomentumEncoder(self.student_encoder(), momentum)
        self.anchor_queue = FeatureQueue(queue_size, feat_dim)
        self.check_hooks = check_hooks

    def student_encoder(self):
        """``backbone`` + ``neck`` as one module (built on demand: storing
        it would register the student's parameters twice)."""
        return nn.Sequential(self.backbone, self.neck)

    def init_weights(self):
        """Initialise the student, then make the teacher an exact copy."""
        super().init_weights()
        self.teacher.copy_from(self.student_encoder())

    def momentum_update(self, momentum=None):
        """theta_T <- m theta_T + (1 - m) theta_S with the current student
        (:meth:`MomentumEncoder.update`: every update is the formula, the
        first one too, so a backbone loaded into the student after
        :meth:`init_weights`, by ``load_from`` / ``--pretrained``, reaches
        the teacher only through the average: that is how RSPNet after
        auxSKD gets its key encoder "randomly from scratch" while the query
        encoder starts from the student, paper §4.3).

        Args:
            momentum (float, optional): m; defaults to ``self.momentum``.
        """
        self.teacher.update(self.student_encoder(), momentum)

    @staticmethod
    def _split_views(inputs):
        if inputs.dim() != 6 or inputs.shape[1] % 2:
            raise ValueError(
                'AuxSKD needs two views per sample, inputs of shape (B, 2, C,'
                ' T, H, W) from the TwoViewClips transform; got '
                f'{tuple(inputs.shape)}')
        view_s, view_t = inputs.chunk(2, dim=1)
        return (view_s.reshape((-1, ) + inputs.shape[2:]),
                view_t.reshape((-1, ) + inputs.shape[2:]))

    def loss(self, inputs, data_samples=None):
        """Eq. 1-3 on one batch against the bank as it was before the
        batch; ``z_T`` is then kept for the bank (Algorithm 1, step 9)."""
        view_s, view_t = self._split_views(inputs)
        if self.training and self.check_hooks:
            self.anchor_queue.require_enqueued()
            self.teacher.require_update()
        z_s = self.predictor(self.neck(self.backbone(view_s)))
        with torch.no_grad():
            z_t = F.normalize(self.teacher(view_t).float(), dim=1)
        losses = self.head.loss(z_s, z_t, self.anchor_queue.bank)
        if self.training:
            self.anchor_queue.enqueue_later(z_t)
        return losses

    def predict(self, inputs, data_samples=None):
        raise RuntimeError(
            f'{type(self).__name__} is a pretext model and has no '
            "'predict' mode; finetune its backbone (see docs/auxskd.md)")

    def _forward(self, inputs, data_samples=None):
        """Student backbone features of the clips, folded into the batch."""
        return self.extract_feat(inputs)
