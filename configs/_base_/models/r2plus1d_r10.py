# R(2+1)D-10: R(2+1)D with one BasicBlock per stage, as in the paper's
# reference code (VCOP's R(2+1)D), on the paper's stem and strides
# (paper_resnet3d.py). 16x112x112 in, 512 channels out.
# Not weight-compatible with the authors' code (see docs/design.md).
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

backbone = dict(
    config_variable('{{fileDirname}}/paper_resnet3d.py', 'paper_resnet3d'),
    type='ResNet2Plus1d',
    depth=18,
    stage_blocks=(1, 1, 1, 1),
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3))
