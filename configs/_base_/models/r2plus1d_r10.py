# R(2+1)D-10: R(2+1)D with one BasicBlock per stage, as in the paper's
# reference code (VCOP's R(2+1)D). 16x112x112 in, 512 channels out.
# Not weight-compatible with the authors' code (see docs/design.md).
backbone = dict(
    type='ResNet2Plus1d',
    depth=18,
    stage_blocks=(1, 1, 1, 1),
    pretrained=None,
    pretrained2d=False,
    norm_eval=False,
    conv_cfg=dict(type='Conv2plus1d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3),
    conv1_kernel=(3, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    inflate=(1, 1, 1, 1),
    spatial_strides=(1, 2, 2, 2),
    temporal_strides=(1, 2, 2, 2),
    zero_init_residual=False)
