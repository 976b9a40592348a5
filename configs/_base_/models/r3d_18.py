# R3D-18 (Hara et al.): ResNet-18's two BasicBlocks per stage with full
# 3x3x3 convolutions; 3x7x7 stem with temporal stride 1, no temporal
# pooling after it, spatial and temporal stride 2 in stages 2-4 (as
# R(2+1)D-10, r2plus1d_r10.py). 16x112x112 in, 512 channels out.
backbone = dict(
    type='ResNet3d',
    depth=18,
    stage_blocks=None,  # ResNet-18 default: (2, 2, 2, 2)
    pretrained=None,
    pretrained2d=False,
    norm_eval=False,
    conv_cfg=dict(type='Conv3d'),
    norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-5),
    conv1_kernel=(3, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    inflate=(1, 1, 1, 1),
    spatial_strides=(1, 2, 2, 2),
    temporal_strides=(1, 2, 2, 2),
    zero_init_residual=False)
