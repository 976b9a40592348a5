"""The common base of the pretext algorithms (VSPP, VCOP, auxSKD, RSPNet,
MLFO, Vi²CLR), in the manner of mmpretrain's ``BaseSelfSupervisor``."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmaction.registry import MODELS

from ...datasets.transforms.seeded_views import SEED_KEY

__all__ = ['BasePretext', 'split_views', 'instance_samples',
           'set_view_embeddings']


def instance_samples(data_samples):
    """Indices of the samples that belong to the instance readout (packed
    with ``instance_seed`` by :func:`mmauxskd.cfg.instance_pipeline`)."""
    return [i for i, s in enumerate(data_samples or ())
            if SEED_KEY in s.metainfo]


def set_view_embeddings(data_samples, index, *views):
    """Store, for ``InstanceRetrievalMetric``, the L2-normalised embeddings
    of each view (``views``: ``(len(index), D)`` tensors, one per view) in
    the samples at ``index`` as ``view_embeddings`` ``(V, D)``."""
    views = [F.normalize(v.detach().float(), dim=1).cpu() for v in views]
    for row, i in enumerate(index):
        data_samples[i].set_field(
            torch.stack([v[row] for v in views]), 'view_embeddings')


def split_views(inputs, num_views, owner, source):
    """The views of multi-view inputs, ``(B, V, C, T, H, W)`` -> a tuple of
    V tensors ``(B, C, T, H, W)`` in view order.

    Raises ``ValueError`` naming ``owner`` (the algorithm) and ``source``
    (what makes the views) unless ``inputs`` has exactly ``num_views``.
    """
    if inputs.dim() != 6 or inputs.shape[1] != num_views:
        raise ValueError(
            f'{owner} needs (B, {num_views}, C, T, H, W) inputs ({source}); '
            f'got {tuple(inputs.shape)}')
    return inputs.unbind(1)


class BasePretext(BaseModel):
    """Backbone, optional neck and head, the data preprocessor, and the
    ``forward`` modes.

    Module names, the checkpoint's key prefixes: ``backbone.*`` (the part a
    finetuning ``Recognizer3D`` loads, e.g. ``tools/train.py --pretrained``
    or ``init_cfg=dict(type='Pretrained', checkpoint=CKPT)``), ``head.*``
    and ``neck.*`` (when there is one); subclasses add their own.

    ``forward`` dispatches mmengine's modes: ``'loss'`` -> :meth:`loss`,
    ``'predict'`` -> :meth:`predict`, ``'tensor'`` -> :meth:`_forward`. The
    defaults fit a pretext whose head classifies backbone features (VSPP,
    VCOP): ``head.loss(feats, data_samples)``, ``head.predict(...)`` and
    ``head(feats)`` on :meth:`extract_feat`. Algorithms with another
    structure override them.

    Renamed modules: a subclass that renames state-dict keys raises its
    ``_version`` and lists, in ``_legacy_keys``, for each older version the
    ``(old prefix, new prefix)`` pairs of its keys (first match wins);
    :meth:`_load_from_state_dict` renames a checkpoint's keys by the
    version recorded in it (1 when none is) before the modules read them.

    Args:
        backbone (dict | None): any MMAction2 3D backbone config; None (an
            algorithm whose 3D encoder is optional, e.g. Vi²CLR's image-only
            ablation): ``self.backbone`` is None.
        head (dict | None): the pretext task's head (classifier or loss);
            None for an algorithm that builds its own named heads after
            this ``__init__`` (Vi²CLR): no ``self.head``.
        neck (dict, optional): built as ``self.neck`` when given.
        data_preprocessor (dict, optional): defaults to
            ``ActionDataPreprocessor(format_shape='NCTHW')`` (it normalises
            6-d multi-clip inputs too); built from mmaction's registry.
        init_cfg (dict, optional): mmengine init config.
    """

    _legacy_keys = {}  # {checkpoint version: ((old prefix, new prefix), ..)}

    def __init__(self, backbone, head, neck=None, data_preprocessor=None,
                 init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='ActionDataPreprocessor',
                                     format_shape='NCTHW')
        if isinstance(data_preprocessor, dict):  # mmengine's needs a scope
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone) if backbone is not None \
            else None
        if neck is not None:
            self.neck = MODELS.build(neck)
        if head is not None:
            self.head = MODELS.build(head)

    @property
    def with_neck(self):
        return hasattr(self, 'neck')

    def extract_feat(self, inputs):
        """``(N, [clips,] C, T, H, W)`` -> backbone features ``(N [clips],
        C', T', H', W')`` (clips folded into the batch)."""
        if inputs.dim() == 6:
            inputs = inputs.flatten(0, 1)
        return self.backbone(inputs)

    def loss(self, inputs, data_samples):
        """``dict`` of losses (``loss_*``, summed by the Runner) and logged
        scalars."""
        return self.head.loss(self.extract_feat(inputs), data_samples)

    def predict(self, inputs, data_samples):
        """Data samples with the pretext task's predictions."""
        return self.head.predict(self.extract_feat(inputs), data_samples)

    def _forward(self, inputs, data_samples=None):
        """The ``'tensor'`` mode: raw outputs, no post-processing."""
        return self.head(self.extract_feat(inputs))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}"; {type(self).__name__} '
                           "supports 'tensor', 'loss' and 'predict'")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              *args, **kwargs):
        """Rename, in place, the keys of a checkpoint written by an older
        version (see :attr:`_legacy_keys`), then load as ``nn.Module``."""
        renames = self._legacy_keys.get(local_metadata.get('version', 1), ())
        mine = [k for k in state_dict if k.startswith(prefix)]
        for key in mine if renames else ():
            for old, new in renames:
                if key.startswith(prefix + old):
                    state_dict[prefix + new + key[len(prefix + old):]] = \
                        state_dict.pop(key)
                    break
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      *args, **kwargs)
