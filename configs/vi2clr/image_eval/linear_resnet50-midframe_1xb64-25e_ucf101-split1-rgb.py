# Image-side evaluation of Vi2CLR's 2D encoder without ImageNet: a linear
# probe of the frozen ResNet (weights and BN statistics) on the middle frame
# of each UCF101 split-1 video, stock Recognizer2D + a linear TSNHead
# (../../_base_/models/resnet50_linear_probe.py).
# Training: the middle frame, random crop 112 of the short side 128, flip,
# colour jitter; test: the middle frame, centre crop. Not the paper's
# ImageNet / VOC07 protocol (docs/vi2clr.md). Start from a Vi2CLR
# checkpoint's 2D encoder:
#   python tools/train.py THIS_CONFIG --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
_base_ = ['../../_base_/models/resnet50_linear_probe.py',
          '../../_base_/datasets/ucf101_split1_videos.py',
          '../../_base_/schedules/sgd_25e.py',
          '../../_base_/default_runtime.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

# SampleFrames in test mode with one 1-frame clip: the middle frame
_frame = dict(SampleFrames=dict(clip_len=1, num_clips=1, test_mode=True),
              FormatShape=dict(input_format='NCHW'))
train_pipeline = update_pipeline(_base_.train_pipeline, **_frame)
val_pipeline = update_pipeline(_base_.val_pipeline, **_frame)
test_pipeline = update_pipeline(_base_.test_pipeline, **_frame)
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=64, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

model = dict(cls_head=dict(num_classes=_base_.num_classes))
# only the classifier learns (as the video linear probes)
optim_wrapper = dict(optimizer=dict(lr=0.1))
