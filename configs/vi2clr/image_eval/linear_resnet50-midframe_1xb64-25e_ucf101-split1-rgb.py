# Image-side evaluation of Vi2CLR's 2D encoder without ImageNet: a linear
# probe of the frozen ResNet-50 (weights and BN statistics; the K-400
# recipe's encoder, vi2clr_r3d-18_8xb64-32x128-300e_k400-rgb.py) on the
# middle frame of each UCF101 split-1 video, stock Recognizer2D + a linear
# TSNHead (../../_base_/models/resnet50_linear_probe.py). The budget
# recipes' ResNet-18: linear_resnet18-midframe_1xb64-25e_ucf101-split1-rgb.py.
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
from mmauxskd.cfg import midframe_data  # noqa: E402

# the dataset base's pipelines and loaders with the middle frame only
(train_pipeline, val_pipeline, test_pipeline, train_dataloader,
 val_dataloader, test_dataloader) = midframe_data(_base_)
model = dict(cls_head=dict(num_classes=_base_.num_classes))
# only the classifier learns (as the video linear probes)
optim_wrapper = dict(optimizer=dict(lr=0.1))
