# A linear probe of a frozen 2D ResNet-50 (Vi2CLR's image encoder, paper
# §4.2): stock Recognizer2D, frozen_stages=4 (stem and all stages frozen, BN
# in eval mode) and a linear TSNHead, so only the classifier learns. One
# frame per sample (FormatShape NCHW). Load the encoder with
#   python tools/train.py LEAF --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
# Leaves set cls_head.num_classes (and, multi-label, multi_class and a BCE
# loss); ResNet-18: backbone.depth=18, cls_head.in_channels=512.
image_channels = 2048  # ResNet-50 (the paper's); 512 for ResNet-18
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=50, pretrained=None,
                  torchvision_pretrain=False, frozen_stages=4,
                  norm_eval=True),
    cls_head=dict(type='TSNHead', num_classes=None,
                  in_channels=image_channels, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1),
                  dropout_ratio=0.0, init_std=0.01, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCHW'))
