"""MLFO: multi-level feature optimization (Qian et al., ICCV 2021).

One backbone (no momentum encoder), three feature levels, per-level
projection necks (motion excitation on the lower levels, side branches
only), and the losses of §3 as registered heads. See docs/mlfo.md.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS

from .base import (BasePretext, instance_samples, set_view_embeddings,
                   split_views)
from ..utils.gather import gather_with_local_grad, scale_grad

LEVELS = ('low', 'mid', 'high')


@MODELS.register_module()
class MLFO(BasePretext):
    """Multi-level feature optimization on any MMAction2 3D backbone.

    Inputs ``(B, 3, C, T, H, W)`` from :class:`ViewsOfOneDraw` with
    :class:`MLFOWindowSampler`: short clips 0 and 1 (the positive pair) and
    the long clip 2. The backbone runs once (its own ``forward``) on the
    ``3B`` clips; the outputs of the stages named by ``level_layers`` are
    read by forward hooks, so any backbone with named stages works.

    Every loss is computed on the *global* batch: the per-clip outputs
    (embeddings, per-step features, prototype scores: everything a
    parameter touches is computed on the local clips first) are gathered in
    rank order (``gather_with_local_grad``) and the gradients scaled by the
    world size (``scale_grad``), so that 2 processes give the gradient of 1
    process holding both halves; Sinkhorn, the graphs and the score queue
    are then identical on every rank.

    A :class:`BasePretext` (its ``forward`` modes and data preprocessor).
    Module names (checkpoint prefixes): ``backbone.*`` (what the stock
    ``Recognizer3D`` loads), ``head.*`` (the instance head, no parameters),
    ``necks.<level>.*`` (per-level projection, ``level_neck``;
    ``necks.<level>.me.*`` the motion excitation), ``semantic_neck.*``,
    ``semantic_head.prototypes`` and ``semantic_head.queue.*`` (score
    queue), ``epoch`` (the training epoch the stage hook last set).

    Schedule (§4.2, the authors' code): stage 1 (instance, semantic,
    temporal losses) until ``graph_start`` (a fraction of the epochs), then
    stage 2 adds the graph loss; prototypes without gradient during the
    first ``freeze_prototypes_epochs``; the score queue enters Sinkhorn
    from ``queue_start_epoch``. :class:`MLFOStageHook` tells the model the
    epoch before every iteration (``set_epoch``); with ``check_hooks`` a
    training forward without it fails. The semantic head is switched by
    its ``set_stage``; every loss is its head's (the model passes the
    levels' features and necks).

    Args:
        backbone (dict): e.g. ``ResNet3d`` depth 18 or ``ResNet2Plus1d``.
        levels (dict): level name -> channels. Defaults to R3D-18's
            ``low`` 128, ``mid`` 256, ``high`` 512. ``high`` is needed.
        level_layers (dict): level name -> the backbone submodule whose
            output it is. Defaults to ``layer2``, ``layer3``, ``layer4``
            (the authors' code).
        level_neck (dict): every level's projection neck, built per level
            with ``in_channels`` (from ``levels``) and
            ``motion_excitation`` (the level is in ``motion_levels``)
            added. Defaults to ``MLFOLevelNeck`` with ``out_channels`` 128
            and ``reduction`` 16.
        motion_levels (Sequence[str]): levels whose neck has the motion
            excitation block. Defaults to ``('low', 'mid')``.
        semantic_neck (dict): the semantic projection (high level).
        instance_head (dict): ``MLFOInstanceHead``.
        semantic_head (dict): ``MLFOSemanticHead``.
        graph_head (dict, optional): ``MLFOGraphHead``; None: no L_mul.
        temporal_head (dict, optional): ``MLFOTemporalHead``; None: none.
        graph_start (float): fraction of the epochs before stage 2.
            Defaults to 0.1.
        queue_start_epoch (int): Defaults to 10.
        freeze_prototypes_epochs (int): Defaults to 1.
        check_hooks (bool): see above. Defaults to True.
        data_preprocessor (dict, optional): ``ActionDataPreprocessor``.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, backbone, semantic_neck, instance_head, semantic_head,
                 levels=dict(low=128, mid=256, high=512),
                 level_layers=dict(low='layer2', mid='layer3', high='layer4'),
                 level_neck=dict(type='MLFOLevelNeck', out_channels=128,
                                 reduction=16),
                 motion_levels=('low', 'mid'),
                 graph_head=None, temporal_head=None, graph_start=0.1,
                 queue_start_epoch=10, freeze_prototypes_epochs=1,
                 check_hooks=True, data_preprocessor=None, init_cfg=None):
        # the instance head is the BasePretext's ``head``
        super().__init__(backbone, instance_head,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.levels = dict(levels)
        if 'high' not in self.levels or not set(self.levels) <= set(LEVELS):
            raise ValueError(f'MLFO: levels must include high and be among '
                             f'{LEVELS}, got {list(self.levels)}')
        for name in motion_levels:
            if name not in self.levels:
                raise ValueError(f'MLFO: motion level {name!r} not in levels')
        if not 0 <= graph_start <= 1:
            raise ValueError(f'MLFO: graph_start must be a fraction in '
                             f'[0, 1], got {graph_start}')
        self.level_layers = {name: level_layers[name] for name in self.levels}
        for name, layer in self.level_layers.items():
            try:
                self.backbone.get_submodule(layer)
            except AttributeError:
                raise ValueError(f'MLFO: level_layers.{name} = {layer!r} is '
                                 'not a module of the backbone') from None
        self.necks = nn.ModuleDict({
            name: MODELS.build(dict(level_neck, in_channels=c,
                                    motion_excitation=name in motion_levels))
            for name, c in self.levels.items()})
        self.semantic_neck = MODELS.build(semantic_neck)
        self.semantic_head = MODELS.build(semantic_head)
        self.graph_head = MODELS.build(graph_head) if graph_head else None
        self.temporal_head = MODELS.build(temporal_head) \
            if temporal_head else None
        if self.graph_head is not None:
            self._check_levels('graph_head.levels', self.graph_head.levels)
        if self.temporal_head is not None:
            self._check_levels('temporal_head.aug_levels',
                               self.temporal_head.aug_levels, motion_levels)
            self._check_levels('temporal_head.ret_levels',
                               self.temporal_head.ret_levels)
        self.graph_start = graph_start
        self.queue_start_epoch = queue_start_epoch
        self.freeze_prototypes_epochs = freeze_prototypes_epochs
        self.check_hooks = check_hooks
        self.register_buffer('epoch', torch.zeros((), dtype=torch.long))
        self.register_buffer('max_epochs', torch.zeros((), dtype=torch.long))
        self._epoch_set = False

    def _check_levels(self, key, names, allowed=None):
        allowed = self.levels if allowed is None else allowed
        for name in names:
            if name not in allowed:
                raise ValueError(f'MLFO: {key} names level {name!r}, not '
                                 f'among {list(allowed)}')

    # ------------------------------------------------------------ schedule

    def set_epoch(self, epoch, max_epochs):
        """Called by :class:`MLFOStageHook` before every training step."""
        self.epoch.fill_(int(epoch))
        self.max_epochs.fill_(int(max_epochs))
        self._epoch_set = True

    @property
    def graph_start_epoch(self):
        return int(math.ceil(self.graph_start * int(self.max_epochs)))

    @property
    def graph_active(self):
        """Stage 2: the graph losses are on."""
        return (self.graph_head is not None
                and int(self.epoch) >= self.graph_start_epoch)

    def _apply_schedule(self):
        if self.training and self.check_hooks and not self._epoch_set:
            raise RuntimeError(
                'MLFO was not told the epoch before this step: add '
                'dict(type="MLFOStageHook") to custom_hooks (or call '
                'set_epoch())')
        self._epoch_set = False
        epoch = int(self.epoch)
        self.semantic_head.set_stage(
            freeze_prototypes=epoch < self.freeze_prototypes_epochs,
            use_queue=epoch >= self.queue_start_epoch)

    # ------------------------------------------------------------- forward

    def extract_feat(self, inputs):
        """Backbone features of ``(N, C, T, H, W)`` clips: level -> map."""
        out, handles = {}, []
        for name, layer in self.level_layers.items():
            stage = self.backbone.get_submodule(layer)
            handles.append(stage.register_forward_hook(
                lambda module, args, y, name=name: out.__setitem__(name, y)))
        try:
            self.backbone(inputs)
        finally:
            for handle in handles:
                handle.remove()
        return out

    @staticmethod
    def _views(inputs):
        return torch.cat(split_views(  # view-major
            inputs, 3, 'MLFO', 'two short clips and the long clip, '
            'ViewsOfOneDraw + MLFOWindowSampler'))

    def loss(self, inputs, data_samples=None):
        """All losses of §3 on one batch (see the heads)."""
        self._apply_schedule()
        b = inputs.shape[0]
        feats = self.extract_feat(self._views(inputs))
        gather = gather_with_local_grad
        steps = {}  # level -> [per view (N, D, T)], global batch
        for name, f in feats.items():
            out = self.necks[name](f)
            steps[name] = [gather(out[v * b:(v + 1) * b]) for v in range(3)]
        emb = {name: [self.necks[name].embed(s) for s in views]
               for name, views in steps.items()}
        z1, z2 = emb['high'][0], emb['high'][1]
        losses = self.head.loss(z1, z2)
        q = self.semantic_neck(feats['high'][:2 * b])
        sem, (s1, s2) = self.semantic_head.loss(
            q[:b], q[b:], enqueue=self.training, gather=gather)
        losses.update(sem)
        if self.graph_active:
            losses.update(self.graph_head.loss(
                z1, z2, s1, s2, {k: v[:2] for k, v in emb.items()}))
        if self.temporal_head is not None:
            local = {name: [f[v * b:(v + 1) * b] for v in range(3)]
                     for name, f in feats.items()}
            losses.update(self.temporal_head.loss(
                local, steps, emb, self.necks, gather=gather))
        return {k: scale_grad(v) if k.startswith('loss') else v
                for k, v in losses.items()}

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        """Instance discrimination on held-out videos (no training).

        ``pred_instance_label``: the index, in the batch, of the video
        whose second clip is nearest (cosine, high-level embedding) to this
        video's first clip; ``instance_label``: its own index.
        ``PretextAccMetric(tasks=('instance', ))`` scores it (chance one
        over the batch size).

        The instance readout's samples (:func:`mmauxskd.cfg.mlfo_pretext_val`'s
        ``instance_draws``) are left out of that comparison and get
        ``view_embeddings``: the same high-level instance embeddings of
        their two short clips (``InstanceRetrievalMetric``: among all
        held-out videos, not a batch).
        """
        b = inputs.shape[0]
        high = self.extract_feat(self._views(inputs))['high'][:2 * b]
        neck = self.necks['high']
        z = F.normalize(neck.embed(neck(high)), dim=1)
        readout = instance_samples(data_samples)
        if readout:
            set_view_embeddings(data_samples, readout, z[:b][readout],
                                z[b:][readout])
        own = [i for i in range(b) if i not in set(readout)]
        sim = z[:b][own] @ z[b:][own].t()
        for row, i in enumerate(own):
            sample = data_samples[i]
            sample.set_field(int(sim[row].argmax()), 'pred_instance_label')
            sample.set_field(row, 'instance_label')
            sample.set_field(sim[row].cpu(), 'pred_instance_score')
        return data_samples

    def _forward(self, inputs, data_samples=None):
        """The ``'tensor'`` mode: the plain backbone's output."""
        return super().extract_feat(inputs)
