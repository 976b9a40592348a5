# Finetune r2plus1d_r10 on hmdb51_split1_videos (paper §4.2): stock Recognizer3D + I3DHead.
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/models/recognizer3d.py',
          '../_base_/datasets/hmdb51_split1_videos.py', '../_base_/schedules/sgd_25e.py',
          '../_base_/default_runtime.py']
model = dict(backbone=_base_.backbone,
             cls_head=dict(num_classes=_base_.num_classes))
