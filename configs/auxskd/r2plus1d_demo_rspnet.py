# auxSKD + RSPNet on the demo data, stage 1: r2plus1d_demo.py with RSPNet's own
# sampler in MultiViewClips (as r2plus1d_k100_rspnet.py does on K-100). Stage 2
# initialises RSPNet from the student; tools/run_demo.py --arms auxskd_rspnet runs
# the whole chain:
#   python tools/train.py configs/rspnet/rspnet_r2plus1d-r10-w8_1xb16-3x16-1600it_demo-rgb.py \
#       --pretrained work_dirs/r2plus1d_demo_rspnet/iter_400.pth
_base_ = ['./r2plus1d_demo.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.rspnet_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
