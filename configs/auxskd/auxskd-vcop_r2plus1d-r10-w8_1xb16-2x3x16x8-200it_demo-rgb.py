# auxSKD + VCOP on the demo data, stage 1: the auxSKD demo config
# (auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py) with VCOP's own
# sampler in MultiViewClips (as
# auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb.py does on K-100).
# Stage 2 initialises VCOP from the student; tools/run_demo.py --arms
# auxskd_vcop runs the whole chain. The 200 steps are 34 epochs of 6
# (iter_schedule), and the last checkpoint is epoch_34.pth:
#   python tools/train.py configs/vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py \
#       --pretrained work_dirs/auxskd-vcop_r2plus1d-r10-w8_1xb16-2x3x16x8-200it_demo-rgb/epoch_34.pth
_base_ = ['./auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.vcop_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
