# auxSKD + VCOP on the demo data, stage 1: r2plus1d_demo.py with VCOP's own
# sampler in MultiViewClips (as r2plus1d_k100_vcop.py does on K-100). Stage 2
# initialises VCOP from the student; tools/run_demo.py --arms auxskd_vcop runs
# the whole chain:
#   python tools/train.py configs/vcop/vcop_r2plus1d-r10-w8_1xb16-3x16x8-800it_demo-rgb.py \
#       --pretrained work_dirs/r2plus1d_demo_vcop/iter_400.pth
_base_ = ['./r2plus1d_demo.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.vcop_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
