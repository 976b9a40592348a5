# auxSKD with R3D-18 on Kinetics-100 (paper Table 2); see auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py.
_base_ = ['../_base_/models/r3d_18.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
