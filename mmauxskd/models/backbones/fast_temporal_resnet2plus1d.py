"""R(2+1)D whose temporal convolutions take the fast CPU route.

MMAction2's ``ResNet2Plus1d`` with every ``Conv2plus1d.conv_t`` (a
``k_t x 1 x 1`` ``nn.Conv3d``) computed as a 2D convolution on CPU float32
input (:class:`~mmauxskd.models.utils.TemporalConv3d`): 1.2x per training
step of the demo backbone on one thread (``docs/benchmarks.md``), the same
function up to float rounding, and the stock convolution on CUDA. The
parameters, buffers and checkpoint keys are ``ResNet2Plus1d``'s, so a
checkpoint moves freely between the two. A config opts in by the backbone
type (the demo configs do, through ``demo_backbone``)::

    model = dict(backbone=dict(type='FastTemporalResNet2Plus1d', ...))

Any other ``ResNet2Plus1d`` in the process is left as MMAction2 builds it.
"""
import torch.nn as nn
from mmaction.models.backbones import ResNet2Plus1d
from mmaction.models.common import Conv2plus1d
from mmaction.registry import MODELS

from ..utils.temporal_conv import TemporalConv3d

__all__ = ['FastTemporalResNet2Plus1d']


@MODELS.register_module()
class FastTemporalResNet2Plus1d(ResNet2Plus1d):
    """``ResNet2Plus1d`` (same arguments) with
    :class:`~mmauxskd.models.utils.TemporalConv3d` temporal convolutions.

    Input ``(N, 3, T, H, W)``; output as ``ResNet2Plus1d``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for module in self.modules():
            if isinstance(module, Conv2plus1d) and \
                    type(module.conv_t) is nn.Conv3d:
                # only the class changes: same parameters and state keys
                module.conv_t.__class__ = TemporalConv3d
