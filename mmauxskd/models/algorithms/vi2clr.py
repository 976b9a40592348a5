"""Vi²CLR: joint video (3D) and image (2D) contrastive learning with clusters.

Diba et al., "Vi²CLR: Video and Image for Visual Contrastive Learning of
Representation", ICCV 2021, §3.2, Eq. 2-4, Algorithm 1. See docs/vi2clr.md.
"""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from ..utils.cluster_state import ClusterState
from .base import BasePretext, set_view_embeddings, split_views

__all__ = ['Vi2CLR']


def _pool(x):
    """Backbone map ``(N, C, ...)`` (or a tuple: its last) -> ``(N, C)``."""
    if isinstance(x, (tuple, list)):
        x = x[-1]
    return x.flatten(2).mean(2) if x.dim() > 2 else x


@MODELS.register_module()
class Vi2CLR(BasePretext):
    """3D video encoder f_V, 2D image encoder f_I, projections, three losses.

    Module names (the checkpoint's key prefixes):

    * ``backbone.*``: the 3D encoder f_V, what a finetuning ``Recognizer3D``
      loads (``tools/train.py --pretrained CKPT``);
    * ``image_backbone.*``: the 2D encoder f_I, what a ``Recognizer2D`` loads
      (``tools/train.py --pretrained CKPT --pretrained-prefix
      image_backbone.``, which renames it to ``backbone.*``);
    * ``video_neck.*`` / ``image_neck.*``: the MLP projections giving
      r_V / r_I (128-d); ``joint_neck.*``: the MLP on the concatenated pooled
      features of both encoders giving r_J (128-d);
    * ``video_head`` / ``image_head`` (:class:`MILNCEHead`, VideoNCE /
      ImgNCE) and ``center_head`` (:class:`CenterNCEHead`): no parameters;
    * ``clusters.*``: the cluster state, buffers (:class:`ClusterState`):
      ``labels`` s(i) ``(N,)``, ``centroids`` c ``(k, d)``, ``phi``
      ``(k,)`` and the ``epoch`` they were computed before.

    A :class:`BasePretext` (its data preprocessor and ``forward`` modes)
    without its ``head``: ``'loss'`` -> :meth:`loss`, ``'tensor'`` -> 3D
    backbone features of ``(N, C, T, H, W)`` or ``(N, n, C, T, H, W)``
    clips (2D features of their middle frames when there is no 3D
    encoder); ``'predict'`` -> the instance readout's embeddings of the two
    views (:meth:`predict`).

    Shapes: inputs ``(B, 2, C, T, H, W)`` from :class:`MultiViewClips` (two
    temporal crops, each augmented; data preprocessor ``NCTHW``), folded to
    ``2B`` clips (view 0's B, then view 1's). The image of a clip is its
    middle frame after augmentation, ``x[:, :, T // 2]`` (frame 16 of 32)
    -> ``(2B, C, H, W)``. f_V -> ``(2B, C_V)`` pooled, f_I -> ``(2B,
    C_I)`` pooled; r_V = video_neck, r_I = image_neck, r_J =
    joint_neck([f_V, f_I]) -> each ``(2B, 128)``.

    Clusters: :meth:`set_clusters` (called by :class:`Vi2CLRClusterHook`)
    stores the assignment s(i) of every training video, the centroids c_j
    and the concentrations phi_j in ``clusters``; they are saved with the
    weights and restored by ``--resume``. Without clusters every video is
    its own cluster (MIL-NCE is InfoNCE) and CenterNCE is not computed (its
    loss is reported as 0). During the hook's warm-up (``warmup_epochs``)
    the labels are the instances too, and by default (the hook's
    ``warmup_bank``) the centroids are every video's r_J with phi = the
    hook's ``temperature``: CenterNCE is then computed, as instance
    discrimination against that bank (which is not saved: ``transient``);
    with ``warmup_bank=False`` the warm-up has no CenterNCE. The samples'
    dataset indices come from ``sample_idx`` in the data samples' metainfo
    (``PackActionInputs(meta_keys=(..., 'sample_idx'))``).

    Ablations (paper Table 6): a head set to ``None`` is not computed; an
    encoder set to ``None`` is not built (e.g. the VideoNCE-only model has
    no image encoder and clusters its r_V: ``cluster_on='video'``).

    Args:
        backbone (dict, optional): 3D encoder (S3D in the paper; any
            MMAction2 3D backbone).
        image_backbone (dict, optional): 2D encoder (MMAction2's ``ResNet``,
            depth 50 in the paper).
        video_neck, image_neck, joint_neck (dict, optional): projections
            (``VideoMLPNeck``).
        video_head, image_head (dict, optional): ``MILNCEHead``.
        center_head (dict, optional): ``CenterNCEHead``.
        cluster_on (str): embedding the hook clusters: ``'joint'`` (r_J,
            the paper), ``'video'`` or ``'image'`` (single-stream
            ablations).
        data_preprocessor (dict, optional): ``ActionDataPreprocessor``
            (``NCTHW``) by default.
    """

    def __init__(self, backbone=None, image_backbone=None, video_neck=None,
                 image_neck=None, joint_neck=None, video_head=None,
                 image_head=None, center_head=None, cluster_on='joint',
                 data_preprocessor=None, init_cfg=None):
        # the 3D encoder is BasePretext's backbone; no neck, no single head
        super().__init__(backbone, None, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)

        def build(cfg):
            return MODELS.build(cfg) if cfg is not None else None

        self.image_backbone = build(image_backbone)
        self.video_neck = build(video_neck)
        self.image_neck = build(image_neck)
        self.joint_neck = build(joint_neck)
        self.video_head = build(video_head)
        self.image_head = build(image_head)
        self.center_head = build(center_head)
        self.cluster_on = cluster_on
        self._check(cluster_on)
        self.clusters = ClusterState()

    def _check(self, cluster_on):
        needs = dict(video=('backbone', 'video_neck'),
                     image=('image_backbone', 'image_neck'),
                     joint=('backbone', 'image_backbone', 'joint_neck'))
        if cluster_on not in needs:
            raise ValueError("Vi2CLR.cluster_on must be 'joint', 'video' or "
                             f"'image', got {cluster_on!r}")
        wanted = {'cluster_on': needs[cluster_on],
                  'video_head': needs['video'],
                  'image_head': needs['image'],
                  'center_head': needs['joint']}
        for key, modules in wanted.items():
            if key != 'cluster_on' and getattr(self, key) is None:
                continue
            for name in modules:
                if getattr(self, name) is None:
                    what = f'cluster_on={cluster_on!r}' \
                        if key == 'cluster_on' else key
                    raise ValueError(f'Vi2CLR: {what} needs {name}')
        if not any((self.video_head, self.image_head, self.center_head)):
            raise ValueError('Vi2CLR: no loss head (video_head, image_head, '
                             'center_head) is set')

    # ------------------------------------------------------------ clusters
    def set_clusters(self, labels, centroids=None, phi=None, epoch=-1,
                     transient=False):
        """Store s(i) ``(N,)``, c ``(k, d)`` and phi ``(k,)`` (tensors or
        arrays; moved to the model's device) computed before ``epoch``.
        ``centroids=None``: labels only, CenterNCE off; ``labels=None``: no
        clusters. ``transient`` (the warm-up bank): not saved in the state
        dict. See :meth:`ClusterState.set`."""
        self.clusters.set(labels, centroids, phi, epoch, transient)

    # ------------------------------------------------------------ features
    @staticmethod
    def middle_frame(clips):
        """``(N, C, T, H, W)`` -> the middle frames ``(N, C, H, W)``."""
        return clips[:, :, clips.shape[2] // 2]

    def _features(self, clips):
        """Pooled f_V and f_I of ``(N, C, T, H, W)`` clips (None if absent)."""
        f_v = _pool(self.backbone(clips)) if self.backbone else None
        f_i = (_pool(self.image_backbone(self.middle_frame(clips)))
               if self.image_backbone else None)
        return f_v, f_i

    def embed(self, clips, which):
        """r_V / r_I / r_J (``which`` = video / image / joint), ``(N, d)``."""
        f_v, f_i = self._features(clips)
        if which == 'video':
            return self.video_neck(f_v)
        if which == 'image':
            return self.image_neck(f_i)
        return self.joint_neck(torch.cat([f_v, f_i], 1))

    @torch.no_grad()
    def cluster_features(self, inputs):
        """L2-normalised ``cluster_on`` embeddings of preprocessed inputs
        ``(N, 1, C, T, H, W)`` (or 5-d), for the clustering hook."""
        if inputs.dim() == 6:
            inputs = inputs.flatten(0, 1)
        return F.normalize(self.embed(inputs, self.cluster_on).float(), dim=1)

    # ------------------------------------------------------------ training
    @staticmethod
    def _split_views(inputs):
        return torch.cat(split_views(  # (2B, ...) view-major
            inputs, 2, 'Vi2CLR', 'two temporal crops per video from '
            'MultiViewClips'))

    @staticmethod
    def _sample_indices(data_samples, device):
        try:
            idx = [int(s.metainfo['sample_idx']) for s in data_samples]
        except KeyError:
            raise KeyError(
                "Vi2CLR needs each sample's dataset index: pack it with "
                "PackActionInputs(meta_keys=(..., 'sample_idx'))") from None
        return torch.as_tensor(idx, dtype=torch.long, device=device)

    def loss(self, inputs, data_samples):
        """Eq. 4: L_CenterNCE + L_VideoNCE + L_ImgNCE on one batch."""
        clips = self._split_views(inputs)
        idx = self._sample_indices(data_samples, clips.device).repeat(2)
        clusters = self.clusters
        labels = clusters.labels[idx] if clusters.assigned else idx
        f_v, f_i = self._features(clips)
        losses = {}
        if self.video_head is not None:
            losses.update(self.video_head.loss(self.video_neck(f_v), labels,
                                               idx))
        if self.image_head is not None:
            losses.update(self.image_head.loss(self.image_neck(f_i), labels,
                                               idx))
        if self.center_head is not None:
            r_j = self.joint_neck(torch.cat([f_v, f_i], 1))
            if clusters.has_centroids:
                losses.update(self.center_head.loss(
                    r_j, labels, clusters.centroids, clusters.phi))
            else:  # warm-up: no centroids yet; keeps the graph for DDP
                losses['loss_center_nce'] = 0 * r_j.sum()
        return losses

    @property
    def readout_embedding(self):
        """The embedding the instance readout compares: r_V (the 3D
        encoder's, which finetuning takes) when the model has a 3D encoder
        and its projection, else the one it clusters (``cluster_on``)."""
        if self.backbone is not None and self.video_neck is not None:
            return 'video'
        return self.cluster_on

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        """The instance readout's embeddings on held-out videos (no
        training): each of the two temporal crops of a sample embedded by
        :attr:`readout_embedding`, as ``view_embeddings`` ``(2, 128)``.
        ``InstanceRetrievalMetric`` scores them
        (:func:`mmauxskd.cfg.instance_val`); finetuning takes the backbones
        (docs/vi2clr.md)."""
        views = split_views(inputs, 2, 'Vi2CLR', 'two temporal crops per '
                            'video from MultiViewClips')
        set_view_embeddings(data_samples, range(inputs.shape[0]), *[
            self.embed(v, self.readout_embedding) for v in views])
        return data_samples

    def _forward(self, inputs, data_samples=None):
        """``'tensor'``: 3D backbone features of ``(N, C, T, H, W)`` or
        ``(N, n, C, T, H, W)`` clips (n folded into the batch); without a
        3D encoder (the ImgNCE-only ablation), the 2D encoder's features of
        the clips' middle frames."""
        if self.backbone is None:
            clips = inputs.flatten(0, 1) if inputs.dim() == 6 else inputs
            return self.image_backbone(self.middle_frame(clips))
        return self.extract_feat(inputs)
