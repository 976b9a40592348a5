# auxSKD + VideoPace, stage 1 (paper §4.3, Table 1 row 19): auxSKD trained
# with VideoPace's own sampling, i.e. each of the two views is one clip at
# pace λ in 1..4 throughout (SegmentPaceSampler with Z = 1, as
# configs/videopace/). Stage 2 initialises VideoPace from the student:
#   python tools/train.py configs/videopace/videopace_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-videopace_r2plus1d-r10_2xb15-2x16-20e_k100-rgb/epoch_20.pth
# (docs/pretexts.md#auxskd--x).
_base_ = ['./auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py', './_base_/x_samplers.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(
    _base_.train_pipeline, MultiViewClips=dict(sampler=_base_.videopace_sampler))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
