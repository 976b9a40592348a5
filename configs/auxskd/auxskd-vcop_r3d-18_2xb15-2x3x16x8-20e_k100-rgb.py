# auxSKD + VCOP with R3D-18 (paper Table 1 row 24); see
# auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb.py. Stage 2:
#   python tools/train.py configs/vcop/vcop_r3d-18_2xb15-3x16x8-200e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-vcop_r3d-18_2xb15-2x3x16x8-20e_k100-rgb/epoch_20.pth
_base_ = ['./auxskd_r3d-18_2xb15-2x16-20e_k100-rgb.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.vcop_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
