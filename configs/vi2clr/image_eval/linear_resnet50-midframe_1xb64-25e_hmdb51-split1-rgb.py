# The middle-frame linear probe of Vi2CLR's 2D encoder (ResNet-50, the K-400
# recipe's) on HMDB51 split 1: the UCF101 probe
# (linear_resnet50-midframe_1xb64-25e_ucf101-split1-rgb.py) with
# ../../_base_/datasets/hmdb51_split1_videos.py's lists and 51 classes.
#   python tools/train.py THIS_CONFIG --pretrained VI2CLR_CKPT \
#       --pretrained-prefix image_backbone.
_base_ = ['../../_base_/models/resnet50_linear_probe.py',
          '../../_base_/datasets/hmdb51_split1_videos.py',
          '../../_base_/schedules/sgd_25e.py',
          '../../_base_/default_runtime.py']
from mmauxskd.cfg import midframe_data  # noqa: E402

(train_pipeline, val_pipeline, test_pipeline, train_dataloader,
 val_dataloader, test_dataloader) = midframe_data(_base_)
model = dict(cls_head=dict(num_classes=_base_.num_classes))
optim_wrapper = dict(optimizer=dict(lr=0.1))
