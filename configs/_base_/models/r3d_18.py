# R3D-18 (Hara et al.): the R(2+1)D-10 recipe with full 3x3x3 convolutions
# and two BasicBlocks per stage; 3x7x7 stem with temporal stride 1.
_base_ = ['./r2plus1d_r10.py']
backbone = dict(
    type='ResNet3d',
    stage_blocks=None,  # ResNet-18 default: (2, 2, 2, 2)
    conv_cfg=dict(type='Conv3d'),
    norm_cfg=dict(eps=1e-5))
