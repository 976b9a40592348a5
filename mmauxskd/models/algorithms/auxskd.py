"""auxSKD: similarity-based knowledge distillation with a momentum teacher.

Dadashzadeh et al., "Auxiliary Learning for Self-Supervised Video
Representation via Similarity-based Knowledge Distillation", CVPRW 2022,
§3.1 and Algorithm 1. See docs/auxskd.md.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils import MomentumContrast
from .base import BasePretext, set_view_embeddings

__all__ = ['AuxSKD']

# checkpoints written before version 2 held the teacher and the memory bank
# as modules of their own
_V1_KEYS = (('teacher.', 'momentum_contrast.encoder.'),
            ('anchor_queue.', 'momentum_contrast.queue.'))


@MODELS.register_module()
class AuxSKD(BasePretext):
    """Student (backbone, projection neck, predictor) and EMA teacher.

    Module names, which are the checkpoint's key prefixes:

    * ``backbone.*``: the student encoder, the part later stages load
      (``init_cfg=dict(type='Pretrained', checkpoint=CKPT)`` loads the
      tensors whose names and shapes match);
    * ``neck.*``: the student's projection to ``feat_dim`` (128);
    * ``predictor.*``: the student's predictor MLP;
    * ``momentum_contrast.*``: the teacher and the memory bank, a
      :class:`MomentumContrast`: ``momentum_contrast.encoder.module.0.*`` /
      ``.module.1.*``, the teacher's backbone and projection (an EMA copy
      of ``nn.Sequential(backbone, neck)``; ``momentum_contrast.encoder.
      steps`` counts its updates), and ``momentum_contrast.queue.bank`` /
      ``.ptr``, the memory bank of anchors.

    Checkpoints written before these names (``teacher.*``,
    ``anchor_queue.*``) load unchanged: :data:`_V1_KEYS` renames their
    keys.

    Inputs: ``(B, 2, C, T, H, W)`` from :class:`MultiViewClips` (after the data
    preprocessor); view 0 goes to the student, view 1 to the teacher, as in
    Algorithm 1 (``z_S`` from v1*, ``z_T`` from v2*). ``(B, 2N, C, T, H, W)``
    (N clips per view) is accepted as well: clip j of view 0 pairs with clip
    j of view 1.

    Training needs two hooks, at the places Algorithm 1 puts them:
    :class:`MomentumTeacherHook` (the EMA update, step 6) and
    :class:`AnchorQueueHook` (the enqueue, step 9), which drive the
    :class:`MomentumContrast` protocol. With ``check_hooks`` a training
    forward fails if either did not run, rather than train against a
    frozen teacher or a frozen queue.

    Args:
        backbone (dict): encoder config, e.g. ``ResNet2Plus1d``.
        neck (dict): projection, e.g. ``VideoMLPNeck(512 -> 128)``.
        predictor (dict): predictor, e.g. ``VideoMLPNeck(128 -> 1024 ->
            128, with_avg_pool=False)``.
        head (dict): loss head, ``SimilarityDistillHead``.
        queue_size (int): H, anchors in the memory bank. Defaults to 16384.
        feat_dim (int): embedding size. Defaults to 128.
        momentum (float): the student's weight in theta_T <- (1 -
            momentum) theta_T + momentum theta_S, i.e. 1 - m (mmengine's and
            mmpretrain's convention; the paper's m = 0.999 is 0.001), in
            [0, 0.5]; the hook may schedule it. Defaults to 0.001.
        check_hooks (bool): see above. Defaults to True.
        data_preprocessor (dict, optional): see :class:`BasePretext`.
        init_cfg (dict, optional): mmengine init config.
    """

    _version = 2
    _legacy_keys = {1: _V1_KEYS}

    def __init__(self, backbone, neck, predictor, head, queue_size=16384,
                 feat_dim=128, momentum=0.001, check_hooks=True,
                 data_preprocessor=None, init_cfg=None):
        super().__init__(backbone, head, neck=neck,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.predictor = MODELS.build(predictor)
        self.momentum_contrast = MomentumContrast(
            self.student_encoder, momentum, queue_size, feat_dim)
        self.check_hooks = check_hooks

    def student_encoder(self):
        """``backbone`` + ``neck`` as one module (built on demand: storing
        it would register the student's parameters twice)."""
        return nn.Sequential(self.backbone, self.neck)

    def init_weights(self):
        """Initialise the student, then make the teacher an exact copy.

        Every EMA update is the formula, the first one too, so a backbone
        loaded into the student after this (``load_from`` /
        ``--pretrained``) reaches the teacher only through the average:
        that is how RSPNet after auxSKD gets its key encoder "randomly from
        scratch" while the query encoder starts from the student (paper
        §4.3).
        """
        super().init_weights()
        self.momentum_contrast.reset()

    @staticmethod
    def _split_views(inputs):
        if inputs.dim() != 6 or inputs.shape[1] % 2:
            raise ValueError(
                'AuxSKD needs two views per sample, inputs of shape (B, 2, C,'
                ' T, H, W) from the MultiViewClips transform; got '
                f'{tuple(inputs.shape)}')
        view_s, view_t = inputs.chunk(2, dim=1)
        return (view_s.reshape((-1, ) + inputs.shape[2:]),
                view_t.reshape((-1, ) + inputs.shape[2:]))

    def loss(self, inputs, data_samples=None):
        """Eq. 1-3 on one batch against the bank as it was before the
        batch; ``z_T`` is then kept for the bank (Algorithm 1, step 9)."""
        view_s, view_t = self._split_views(inputs)
        teacher = self.momentum_contrast
        if self.training and self.check_hooks:
            teacher.require_hooks()
        z_s = self.predictor(self.neck(self.backbone(view_s)))
        with torch.no_grad():
            z_t = F.normalize(teacher(view_t).float(), dim=1)
        losses = self.head.loss(z_s, z_t, teacher.queue.bank)
        if self.training:
            teacher.enqueue_later(z_t)
        return losses

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        """The instance readout's embeddings on held-out videos (no
        training): each view through the student's encoder, backbone and
        projection neck (what the teacher is an average of; the predictor
        only maps the student towards the teacher), L2-normalised, as
        ``view_embeddings`` ``(2, feat_dim)`` per sample (with N clips per
        view, their mean). ``InstanceRetrievalMetric`` scores them
        (:func:`mmauxskd.cfg.instance_val`); finetuning takes the backbone
        (docs/auxskd.md).
        """
        view_s, view_t = self._split_views(inputs)
        b = inputs.shape[0]

        def embed(clips):
            z = F.normalize(self.neck(self.backbone(clips)).float(), dim=1)
            return z.view(b, -1, z.shape[1]).mean(1)

        set_view_embeddings(data_samples, range(b), embed(view_s),
                            embed(view_t))
        return data_samples

    def _forward(self, inputs, data_samples=None):
        """Student backbone features of the clips, folded into the batch."""
        return self.extract_feat(inputs)
