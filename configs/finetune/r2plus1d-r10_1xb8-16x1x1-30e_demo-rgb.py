# Demo finetuning: the UCF101 recipe on the demo data (CPU, minutes).
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/models/recognizer3d.py',
          '../_base_/datasets/demo_videos.py', '../_base_/schedules/sgd_25e.py',
          '../_base_/default_runtime.py']
model = dict(backbone=_base_.backbone,
             cls_head=dict(num_classes=_base_.num_classes))
# 48 training videos: more epochs (the paper's lr; a longer first step).
# lr 0.01 made the training loss climb at batch 8.
train_cfg = dict(max_epochs=30, val_interval=10)
param_scheduler = [dict(type='StepLR', step_size=20, gamma=0.1, end=30)]
default_hooks = dict(logger=dict(interval=5))
