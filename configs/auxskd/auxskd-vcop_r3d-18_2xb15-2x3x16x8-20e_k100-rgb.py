# auxSKD + VCOP with R3D-18 (paper Table 1 row 24); see
# auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb.py. Stage 2:
#   python tools/train.py configs/vcop/vcop_r3d-18_2xb15-3x16x8-200e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-vcop_r3d-18_2xb15-2x3x16x8-20e_k100-rgb/epoch_20.pth
_base_ = ['../_base_/models/r3d_18.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', './_base_/x_samplers.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_vcop_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
