# auxSKD + VCOP with R3D-18 (paper Table 1 row 24); see
# r2plus1d_k100_vcop.py. Stage 2:
#   python tools/train.py configs/vcop/vcop_r3d-18_2xb15-3x16x8-200e_k100-rgb.py \
#       --pretrained work_dirs/r3d18_k100_vcop/epoch_20.pth
_base_ = ['./r3d18_k100.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.vcop_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
