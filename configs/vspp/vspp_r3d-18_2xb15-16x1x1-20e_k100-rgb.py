# VSPP pretext with R3D-18 on Kinetics-100: clips of 16 frames,
# Z = 4 segments, Q = 4 paces; crop 112, flip, colour jitter (docs/vspp.md).
_base_ = ['../_base_/models/r3d_18.py', '../_base_/models/vspp.py',
          '../_base_/datasets/k100_videos.py',
          '../_base_/schedules/sgd_20e_pretext.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, _base_.vspp_sampler)
model = dict(backbone=_base_.backbone)
