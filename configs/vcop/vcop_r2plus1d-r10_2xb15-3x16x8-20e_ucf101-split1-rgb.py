# VCOP pretext with R(2+1)D-10 on UCF101 split 1 (x10 per epoch), VCOP's
# constant lr 1e-3 for 20 epochs (200 passes): tuples of 3 clips of 16
# frames, 8 frames apart, 3! = 6 orders; each clip its own random crop 112,
# no flip or colour jitter, as VCOP (docs/pretexts.md#vcop).
_base_ = ['../_base_/models/r2plus1d_r10.py', './_base_/vcop.py',
          '../_base_/datasets/pretext_ucf101_split1_videos.py',
          '../_base_/schedules/sgd_200e_constant_lr.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.vcop_data)
model = dict(backbone=_base_.backbone)
train_cfg = dict(max_epochs=20)  # x10 repeats: 200 passes
