r"""Motion excitation (TEA, Li et al. CVPR 2020): MLFO's side branch.

MLFO (Qian et al., ICCV 2021, §3.3) puts a motion-excitation block on the
low- and mid-level features of the backbone, as a *side branch*: the
backbone itself is unchanged (inference is the plain backbone), the block
feeds only the losses. The block, for ``x`` of shape ``(N, C, T, H, W)``
and ``r`` = ``reduction``:

.. math::

    y = \mathrm{BN}(\mathrm{conv}_{1\times1}(x)) \in R^{C/r},\quad
    m(t) = \mathrm{dwconv}_{3\times3}(y(t+1)) - y(t),\ m(T-1) = 0,

    a = \sigma(\mathrm{BN}(\mathrm{conv}_{1\times1}(\mathrm{avgpool}_{HW}
    (m)))) - 0.5,\quad \mathrm{ME}(x) = x + a \odot x

(TEA's MEModule; ``a`` has shape ``(N, C, T, 1, 1)``.)
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmaction.registry import MODELS


@MODELS.register_module()
class MotionExcitation(BaseModule):
    """TEA's motion excitation, ``(N, C, T, H, W) -> (N, C, T, H, W)``.

    Args:
        channels (int): C.
        reduction (int): channel reduction r (at least one channel is
            kept). Defaults to 16.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(self, channels, reduction=16, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        mid = max(1, channels // reduction)
        self.reduce = nn.Conv3d(channels, mid, 1, bias=False)
        self.reduce_bn = nn.BatchNorm3d(mid)
        self.motion = nn.Conv2d(mid, mid, 3, padding=1, groups=mid,
                                bias=False)
        self.expand = nn.Conv3d(mid, channels, 1, bias=False)
        self.expand_bn = nn.BatchNorm3d(channels)

    def forward(self, x):
        y = self.reduce_bn(self.reduce(x))  # (N, C/r, T, H, W)
        n, c, t, h, w = y.shape
        nxt = y[:, :, 1:].transpose(1, 2).reshape(-1, c, h, w)
        moved = self.motion(nxt).reshape(n, t - 1, c, h, w).transpose(1, 2)
        m = F.pad(moved - y[:, :, :-1], (0, 0, 0, 0, 0, 1))
        m = m.mean(dim=(3, 4), keepdim=True)  # (N, C/r, T, 1, 1)
        a = torch.sigmoid(self.expand_bn(self.expand(m))) - 0.5
        return x + a * x
