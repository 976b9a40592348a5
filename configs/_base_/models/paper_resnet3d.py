# The ResNet settings the paper's two backbones share (r2plus1d_r10.py and
# r3d_18.py read them with config_variable): a 3x7x7 stem with temporal
# stride 1, no temporal pooling after it, spatial and temporal stride 2 in
# stages 2-4 (none in the first), no inflation switches, trained from
# scratch with BatchNorm in training mode. Not a base: no model, only the
# settings a backbone file builds on.
paper_resnet3d = dict(
    pretrained=None,
    pretrained2d=False,
    norm_eval=False,
    conv1_kernel=(3, 7, 7),
    conv1_stride_t=1,
    pool1_stride_t=1,
    inflate=(1, 1, 1, 1),
    spatial_strides=(1, 2, 2, 2),
    temporal_strides=(1, 2, 2, 2),
    zero_init_residual=False)
