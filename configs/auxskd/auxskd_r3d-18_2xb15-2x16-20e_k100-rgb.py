# auxSKD with R3D-18 on Kinetics-100 (paper Table 2); see auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py.
_base_ = ['../_base_/models/r3d_18.py',
          '../_base_/datasets/k100_videos.py', './_base_/auxskd.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

# drop_last: the predictor's BatchNorm1d cannot train on a batch of one
train_pipeline, train_dataloader = pretext_data(
    _base_, _base_.vspp_sampler, two_view=True, drop_last=True)
model = dict(backbone=_base_.backbone)
