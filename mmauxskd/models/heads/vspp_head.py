r"""VSPP's two classification heads: pace λ and altered segment ζ (Eq. 5)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

__all__ = ['VSPPHead']


def _labels(data_samples, key, device):
    values = []
    for i, sample in enumerate(data_samples):
        if key not in sample:
            raise KeyError(
                f'data sample {i} has no {key!r}: pack it with '
                f"PackActionInputs(algorithm_keys=('pace_label', "
                "'segment_label')) after the SegmentPaceSampler")
        values.append(int(sample.get(key)))
    return torch.as_tensor(values, dtype=torch.long, device=device)


@MODELS.register_module()
class VSPPHead(BaseModule):
    r"""Global average pooling, then a pace and a segment linear classifier.

    The loss is Eq. 5 of the paper,
    :math:`\mathcal{L} = \alpha \mathcal{L}_{speed} + \beta \mathcal{L}_{seg}`,
    both cross-entropies (α = β = 1 in the paper). Segment labels equal to
    ``ignore_index`` (the sampler's label for λ = 1 clips, where no segment
    is altered) count in neither the segment loss nor its accuracy; a batch
    with none left gives a zero segment loss (still in the graph).

    Either classifier can be switched off (``with_pace`` /
    ``with_segment``, the sub-task rows of Table 4): it then has no
    parameters, no loss and no accuracy.

    Shapes: features ``(N, C, T, H, W)`` (or ``(N, C)``, already pooled) ->
    pace logits ``(N, num_paces)`` and segment logits ``(N, num_segments)``.

    Args:
        in_channels (int): C, the backbone's output channels.
        num_paces (int): Q, pace classes (labels λ - 1). Defaults to 4.
        num_segments (int): Z, segment classes (labels ζ - 1). Defaults
            to 4.
        with_pace (bool): build the pace classifier. Defaults to True.
        with_segment (bool): build the segment classifier; needs
            ``num_segments >= 2``. Defaults to True.
        loss_pace_weight (float): α. Defaults to 1.0.
        loss_segment_weight (float): β. Defaults to 1.0.
        dropout_ratio (float): dropout before the classifiers. Defaults to
            0 (the authors' heads have none).
        ignore_index (int): segment label to ignore. Defaults to -1.
        init_std (float): std of the classifiers' normal init.
    """

    def __init__(self, in_channels=512, num_paces=4, num_segments=4,
                 with_pace=True, with_segment=True, loss_pace_weight=1.0,
                 loss_segment_weight=1.0, dropout_ratio=0.0,
                 ignore_index=-1, init_std=0.01, init_cfg=None):
        if init_cfg is None:
            init_cfg = dict(type='Normal', layer='Linear', std=init_std)
        super().__init__(init_cfg=init_cfg)
        if not (with_pace or with_segment):
            raise ValueError('VSPPHead: with_pace and with_segment are both '
                             'False; nothing to learn')
        if with_pace and num_paces < 2:
            raise ValueError(f'VSPPHead: num_paces = {num_paces}; the pace '
                             'task needs at least 2 classes')
        if with_segment and num_segments < 2:
            raise ValueError(
                f'VSPPHead: num_segments = {num_segments}; the segment task '
                'needs at least 2 segments (set with_segment=False for Z = 1, '
                'i.e. VideoPace)')
        self.in_channels = in_channels
        self.num_paces = num_paces
        self.num_segments = num_segments
        self.with_pace = with_pace
        self.with_segment = with_segment
        self.loss_pace_weight = loss_pace_weight
        self.loss_segment_weight = loss_segment_weight
        self.ignore_index = ignore_index
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio else None
        self.fc_pace = nn.Linear(in_channels, num_paces) if with_pace else None
        self.fc_segment = (nn.Linear(in_channels, num_segments)
                           if with_segment else None)

    def tasks(self):
        """``{'pace': classifier, 'segment': classifier}``, enabled only."""
        return {k: fc for k, fc in (('pace', self.fc_pace),
                                    ('segment', self.fc_segment))
                if fc is not None}

    def forward(self, feats):
        """``(N, C, T, H, W)`` or ``(N, C)`` -> ``{'pace': (N, Q), ...}``."""
        if feats.dim() == 5:
            feats = self.pool(feats)
        feats = feats.flatten(1)
        if self.dropout is not None:
            feats = self.dropout(feats)
        return {name: fc(feats) for name, fc in self.tasks().items()}

    def loss(self, feats, data_samples):
        """Eq. 5 and the accuracies.

        Args:
            feats (Tensor): ``(N, C, T, H, W)`` backbone features.
            data_samples (list[ActionDataSample]): with ``pace_label`` and
                ``segment_label`` (ints, from the sampler).

        Returns:
            dict: ``loss_pace`` (α CE), ``loss_segment`` (β CE),
            ``acc_pace``, ``acc_segment`` (fractions), for enabled tasks.
        """
        logits = self(feats)
        weights = dict(pace=self.loss_pace_weight,
                       segment=self.loss_segment_weight)
        losses = {}
        for name, out in logits.items():
            target = _labels(data_samples, f'{name}_label', out.device)
            if len(target) != len(out):
                raise ValueError(
                    f'{len(out)} clips for {len(target)} labels: VSPP takes '
                    'one clip per sample')
            valid = target != self.ignore_index
            bad = valid & ((target < 0) | (target >= out.shape[1]))
            if bad.any():
                raise ValueError(
                    f'{name} label {int(target[bad][0])} outside the head\'s '
                    f'{out.shape[1]} classes: the sampler and the head '
                    f'disagree on num_{name}s (or paces)')
            if valid.any():
                ce = F.cross_entropy(out[valid], target[valid])
                acc = (out[valid].argmax(1) == target[valid]).float().mean()
            else:  # e.g. all λ = 1: keep the graph, learn nothing
                ce, acc = out.sum() * 0, out.new_zeros(())
            losses[f'loss_{name}'] = weights[name] * ce
            losses[f'acc_{name}'] = acc.detach()
        return losses

    def predict(self, feats, data_samples):
        """Set ``pred_{pace,segment}_score`` (softmax) and ``_label``."""
        logits = self(feats)
        for name, out in logits.items():
            scores = out.detach().softmax(1)
            for sample, score in zip(data_samples, scores):
                sample.set_field(score, f'pred_{name}_score')
                sample.set_field(score.argmax(), f'pred_{name}_label')
        return data_samples
