# R3D-18 (Hara et al.): ResNet-18's two BasicBlocks per stage with full
# 3x3x3 convolutions, on the paper's stem and strides (paper_resnet3d.py,
# as R(2+1)D-10: 3x7x7 stem with temporal stride 1, no temporal pooling
# after it, spatial and temporal stride 2 in stages 2-4). 16x112x112 in, 512
# channels out.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

backbone = dict(
    config_variable('{{fileDirname}}/paper_resnet3d.py', 'paper_resnet3d'),
    type='ResNet3d',
    depth=18,
    stage_blocks=None,  # ResNet-18 default: (2, 2, 2, 2)
    conv_cfg=dict(type='Conv3d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-5))
