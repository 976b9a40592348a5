# auxSKD + VideoPace on the demo data, stage 1: r2plus1d_demo.py with VideoPace's own
# sampler in MultiViewClips (as r2plus1d_k100_videopace.py does on K-100). Stage 2
# initialises VideoPace from the student; tools/run_demo.py --arms auxskd_videopace runs
# the whole chain:
#   python tools/train.py configs/videopace/videopace_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py \
#       --pretrained work_dirs/r2plus1d_demo_videopace/iter_400.pth
_base_ = ['./r2plus1d_demo.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.videopace_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
