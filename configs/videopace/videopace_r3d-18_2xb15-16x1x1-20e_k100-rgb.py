# VideoPace with R3D-18 pretrained on K-100 (paper Table 1, row 25), which
# is also Table 4's first row (VSPP with Z = 1, pace prediction only).
_base_ = ['../_base_/models/r3d_18.py', './_base_/videopace.py',
          '../_base_/datasets/k100_videos.py',
          '../_base_/schedules/sgd_20e_pretext.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, _base_.vspp_sampler)
model = dict(backbone=_base_.backbone)
