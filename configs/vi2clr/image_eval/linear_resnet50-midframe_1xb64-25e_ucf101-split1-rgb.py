# Image-side evaluation of Vi2CLR's 2D encoder without ImageNet: a linear
# probe of the frozen ResNet (weights and BN statistics) on the middle frame
# of each UCF101 split-1 video, stock Recognizer2D + a linear TSNHead.
# Training: the middle frame, random crop 112 of the short side 128, flip,
# colour jitter; test: the middle frame, centre crop. Not the paper's
# ImageNet / VOC07 protocol (docs/vi2clr.md). Start from a Vi2CLR
# checkpoint's 2D encoder:
#   python tools/train.py THIS_CONFIG --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
_base_ = ['../../_base_/datasets/ucf101_split1_videos.py',
          '../../_base_/schedules/sgd_25e.py',
          '../../_base_/default_runtime.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

# SampleFrames in test mode with one 1-frame clip: the middle frame
_frame = dict(SampleFrames=dict(clip_len=1, num_clips=1, test_mode=True),
              FormatShape=dict(input_format='NCHW'))
train_pipeline = update_pipeline(_base_.train_pipeline, **_frame)
val_pipeline = update_pipeline(_base_.val_pipeline, **_frame)
test_pipeline = update_pipeline(_base_.test_pipeline, **_frame)
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

image_channels = 2048  # ResNet-50 (the paper's); 512 for ResNet-18
model = dict(
    type='Recognizer2D',
    # frozen_stages=4: stem and all stages frozen, BN in eval mode
    backbone=dict(type='ResNet', depth=50, pretrained=None,
                  torchvision_pretrain=False, frozen_stages=4,
                  norm_eval=True),
    cls_head=dict(type='TSNHead', num_classes=_base_.num_classes,
                  in_channels=image_channels, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1),
                  dropout_ratio=0.0, init_std=0.01, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCHW'))
# only the classifier learns (as the video linear probes)
optim_wrapper = dict(optimizer=dict(lr=0.1))
