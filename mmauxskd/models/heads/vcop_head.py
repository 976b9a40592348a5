r"""VCOP's order classifier: pairwise clip features -> n! orders."""
import itertools
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS

__all__ = ['VCOPHead']


def _order_labels(data_samples, device):
    values = []
    for i, sample in enumerate(data_samples):
        if 'order_label' not in sample:
            raise KeyError(
                f"data sample {i} has no 'order_label': pack it with "
                "PackActionInputs(algorithm_keys=('order_label',)) after the "
                'ClipOrderSampler')
        values.append(int(sample.get('order_label')))
    return torch.as_tensor(values, dtype=torch.long, device=device)


@MODELS.register_module()
class VCOPHead(BaseModule):
    r"""VCOP's head (Xu et al. 2019, the authors' ``VCOPN``).

    Every pair of clips ``i < j`` (``itertools.combinations`` order) is
    concatenated ``[f_i, f_j]`` -> ``Linear(2C -> hidden)`` + ReLU (one
    layer shared by all pairs); the ``n(n-1)/2`` pair features are
    concatenated -> Dropout -> ``Linear(hidden * pairs -> n!)``; loss CE
    against the sampler's ``order_label``. Linear layers keep PyTorch's
    default init, as in the authors' code.

    Shapes: clip features ``(N, n, C, T, H, W)`` (pooled here by global
    average pooling) or ``(N, n, C)`` -> pair features ``(N, pairs,
    hidden)`` -> logits ``(N, n!)``.

    Args:
        in_channels (int): C, the backbone's output channels. Defaults to
            512.
        num_clips (int): n, clips per tuple. Defaults to 3.
        hidden_channels (int): width of the pair layer. Defaults to 512.
        dropout_ratio (float): before the classifier. Defaults to 0.5.
        loss_weight (float): multiplies the CE. Defaults to 1.0.
    """

    def __init__(self, in_channels=512, num_clips=3, hidden_channels=512,
                 dropout_ratio=0.5, loss_weight=1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if num_clips < 2:
            raise ValueError(f'VCOPHead: num_clips = {num_clips}; ordering '
                             'needs at least 2 clips')
        self.in_channels = in_channels
        self.num_clips = num_clips
        self.num_orders = math.factorial(num_clips)
        self.pairs = list(itertools.combinations(range(num_clips), 2))
        self.loss_weight = loss_weight
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc_pair = nn.Linear(2 * in_channels, hidden_channels)
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(dropout_ratio)
        self.fc_order = nn.Linear(hidden_channels * len(self.pairs),
                                  self.num_orders)

    def forward(self, feats):
        """``(N, n, C[, T, H, W])`` -> order logits ``(N, n!)``."""
        if feats.dim() == 6:
            n = feats.shape[:2]
            feats = self.pool(feats.flatten(0, 1)).view(*n, -1)
        if feats.dim() != 3 or feats.shape[1] != self.num_clips:
            raise ValueError(
                f'VCOPHead: expected (N, {self.num_clips}, C[, T, H, W]) '
                f'features, got {tuple(feats.shape)}')
        pair = torch.stack([torch.cat([feats[:, i], feats[:, j]], 1)
                            for i, j in self.pairs], 1)
        pair = self.relu(self.fc_pair(pair))  # (N, pairs, hidden)
        return self.fc_order(self.dropout(pair.flatten(1)))

    def loss(self, feats, data_samples):
        """``loss_order`` (weighted CE) and ``acc_order`` (a fraction)."""
        logits = self(feats)
        target = _order_labels(data_samples, logits.device)
        if len(target) != len(logits):
            raise ValueError(f'{len(logits)} tuples for {len(target)} labels')
        if ((target < 0) | (target >= self.num_orders)).any():
            raise ValueError(
                f'order label outside 0..{self.num_orders - 1}: the sampler '
                "and the head disagree on the tuple's number of clips")
        ce = F.cross_entropy(logits, target)
        acc = (logits.argmax(1) == target).float().mean()
        return dict(loss_order=self.loss_weight * ce, acc_order=acc.detach())

    def predict(self, feats, data_samples):
        """Set ``pred_order_score`` (softmax) and ``pred_order_label``."""
        scores = self(feats).detach().softmax(1)
        for sample, score in zip(data_samples, scores):
            sample.set_field(score, 'pred_order_score')
            sample.set_field(score.argmax(), 'pred_order_label')
        return data_samples
