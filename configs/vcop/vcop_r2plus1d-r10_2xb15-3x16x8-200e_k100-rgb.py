# VCOP pretext with R(2+1)D-10 on Kinetics-100 for 200 epochs (the paper's
# Table 1 VCOP row): tuples of 3 clips of 16 frames, 8 frames apart, 3! = 6
# orders; each clip its own random crop 112, no flip or colour jitter, as
# VCOP (docs/pretexts.md#vcop).
_base_ = ['../_base_/models/r2plus1d_r10.py', './_base_/vcop.py',
          '../_base_/datasets/k100_videos.py',
          '../_base_/schedules/sgd_200e_constant_lr.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.vcop_data)
model = dict(backbone=_base_.backbone)
