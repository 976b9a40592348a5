"""auxSKD: similarity-based knowledge distillation with a momentum teacher.

Dadashzadeh et al., "Auxiliary Learning for Self-Supervised Video
Representation via Similarity-based Knowledge Distillation", CVPRW 2022,
§3.1 and Algorithm 1. See docs/auxskd.md.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel, ExponentialMovingAverage
from mmaction.registry import MODELS

from ..utils.anchor_queue import AnchorQueue, gather_across_ranks


@MODELS.register_module()
class AuxSKD(BaseModel):
    """Student (backbone, projection neck, predictor) and EMA teacher.

    Module names, which are the checkpoint's key prefixes:

    * ``backbone.*``: the student encoder, the part later stages load
      (``init_cfg=dict(type='Pretrained', checkpoint=CKPT)`` loads the
      tensors whose names and shapes match);
    * ``neck.*``: the student's projection to ``feat_dim`` (128);
    * ``predictor.*``: the student's predictor MLP;
    * ``teacher.module.0.*`` / ``teacher.module.1.*``: the teacher's
      backbone and projection, an :class:`ExponentialMovingAverage` of
      ``(backbone, neck)`` (``teacher.steps`` counts its updates);
    * ``anchor_queue.bank`` / ``anchor_queue.ptr``: the memory bank.

    Inputs: ``(B, 2, C, T, H, W)`` from :class:`TwoViewClips` (after the data
    preprocessor); view 0 goes to the student, view 1 to the teacher, as in
    Algorithm 1 (``z_S`` from v1*, ``z_T`` from v2*). ``(B, 2N, C, T, H, W)``
    (N clips per view) is accepted as well: clip j of view 0 pairs with clip
    j of view 1.

    Training needs two hooks, which call the methods below at the places
    Algorithm 1 puts them: :class:`MomentumTeacherHook` (``momentum_update``,
    step 6) and :class:`AnchorQueueHook` (``enqueue_pending``, step 9). With
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
        data_preprocessor (dict, optional): e.g. ``ActionDataPreprocessor``
            with ``format_shape='NCTHW'`` (it normalises 6-d inputs too).
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone, neck, predictor, head, queue_size=16384,
                 feat_dim=128, momentum=0.999, check_hooks=True,
                 data_preprocessor=None, init_cfg=None):
        self._init_base(data_preprocessor, init_cfg, momentum)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.predictor = MODELS.build(predictor)
        self.head = MODELS.build(head)
        self._init_teacher(queue_size, feat_dim, momentum, check_hooks)

    def _init_base(self, data_preprocessor, init_cfg, momentum):
        """``BaseModel.__init__`` with the default preprocessor; checks m.
        (Shared with subclasses that build other modules, e.g. RSPNet.)"""
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor',
                                     format_shape='NCTHW')
        if isinstance(data_preprocessor, dict):  # mmaction's registry
            data_preprocessor = MODELS.build(data_preprocessor)
        BaseModel.__init__(self, data_preprocessor=data_preprocessor,
                           init_cfg=init_cfg)
        if not 0 <= momentum <= 1:
            raise ValueError(f'momentum must be in [0, 1], got {momentum}')

    def _init_teacher(self, queue_size, feat_dim, momentum, check_hooks):
        """The EMA copy of :meth:`_student_encoder` and the memory bank
        (after the student's modules are built)."""
        self.momentum = momentum
        # mmengine's EMA keeps (1 - m); it is set on every update anyway.
        self.teacher = ExponentialMovingAverage(
            self._student_encoder(), momentum=min(max(1 - momentum, 1e-6),
                                                  1 - 1e-6))
        self.anchor_queue = AnchorQueue(queue_size, feat_dim)
        self.check_hooks = check_hooks
        self._pending = None  # teacher embeddings waiting to be enqueued
        self._teacher_updated = False

    def _student_encoder(self):
        """``backbone`` + ``neck`` as one module (built on demand: storing
        it would register the student's parameters twice)."""
        return nn.Sequential(self.backbone, self.neck)

    def init_weights(self):
        """Initialise the student, then make the teacher an exact copy."""
        super().init_weights()
        self.teacher.module.load_state_dict(
            self._student_encoder().state_dict())

    @torch.no_grad()
    def momentum_update(self, momentum=None):
        """theta_T <- m theta_T + (1 - m) theta_S with the current student.

        Parameters are averaged (one fused ``lerp`` over all of them);
        buffers (BN running statistics) are copied from the student: the
        teacher runs in training mode and normalises with batch statistics,
        so they do not change its output.

        Every update is this formula, the first one too. (mmengine's
        ``ExponentialMovingAverage.update_parameters`` copies the student
        at its first update instead.) The teacher is the student's copy
        made by :meth:`init_weights`; weights loaded into the student
        later, by ``load_from`` / ``tools/train.py --pretrained``, reach
        it only through the average. That is how RSPNet after auxSKD gets
        its key encoder "randomly from scratch" while the query encoder
        starts from the student (paper §4.3).

        Args:
            momentum (float, optional): m; defaults to ``self.momentum``.
        """
        m = self.momentum if momentum is None else momentum
        self.teacher.momentum = 1 - m  # mmengine's convention, for repr
        student = self._student_encoder()
        if m != 1:  # m == 1: a frozen teacher
            torch._foreach_lerp_(list(self.teacher.module.parameters()),
                                 list(student.parameters()), 1 - m)
        for mine, theirs in zip(self.teacher.module.buffers(),
                                student.buffers()):
            mine.copy_(theirs)
        self.teacher.steps += 1
        self._teacher_updated = True

    @torch.no_grad()
    def enqueue_pending(self):
        """Push the last batch's teacher embeddings (all ranks, in rank
        order) into the memory bank. Returns how many were pushed."""
        if self._pending is None:
            return 0
        keys, self._pending = gather_across_ranks(self._pending), None
        self.anchor_queue.enqueue(keys)
        return keys.shape[0]

    def extract_feat(self, inputs):
        """Student backbone features of ``(N, C, T, H, W)`` clips."""
        return self.backbone(inputs)

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

    def _check_hooks_ran(self):
        """With ``check_hooks``, in training: fail unless both hooks ran."""
        if not (self.training and self.check_hooks):
            return
        if self._pending is not None:
            raise RuntimeError(
                'the previous batch\'s teacher embeddings were never '
                'enqueued: add dict(type="AnchorQueueHook") to '
                'custom_hooks (or call enqueue_pending())')
        if not self._teacher_updated:
            raise RuntimeError(
                'the teacher was not updated before this step: add '
                'dict(type="MomentumTeacherHook") to custom_hooks (or '
                'call momentum_update())')

    def loss(self, inputs, data_samples=None):
        """Eq. 1-3 on one batch; keeps ``z_T`` for :meth:`enqueue_pending`."""
        view_s, view_t = self._split_views(inputs)
        self._check_hooks_ran()
        z_s = self.predictor(self.neck(self.backbone(view_s)))
        with torch.no_grad():
            z_t = F.normalize(self.teacher(view_t).float(), dim=1)
        losses = self.head.loss(z_s, z_t, self.anchor_queue.bank)
        if self.training:
            self._pending = z_t
            self._teacher_updated = False
        return losses

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            if inputs.dim() == 6:
                inputs = inputs.flatten(0, 1)
            return self.extract_feat(inputs)
        raise RuntimeError(
            f'{type(self).__name__} is a pretext model and has no {mode!r} '
            'mode; finetune its backbone (see docs/auxskd.md)')
