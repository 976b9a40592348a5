# VideoPace with R(2+1)D-10 pretrained on K-100 (paper Table 1, row 18).
_base_ = ['../_base_/models/r2plus1d_r10.py', './_base_/videopace.py',
          '../_base_/datasets/k100_videos.py',
          '../_base_/schedules/sgd_20e_pretext.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, _base_.vspp_sampler)
model = dict(backbone=_base_.backbone)
