# auxSKD + VideoPace, stage 1 (paper §4.3, Table 1 row 19): auxSKD trained
# with VideoPace's own sampling, i.e. each of the two views is one clip at
# pace λ in 1..4 throughout (SegmentPaceSampler with Z = 1, as
# configs/videopace/). Stage 2 initialises VideoPace from the student:
#   python tools/train.py configs/videopace/videopace_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-videopace_r2plus1d-r10_2xb15-2x16-20e_k100-rgb/epoch_20.pth
# (docs/pretexts.md#auxskd--x).
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', './_base_/x_samplers.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_videopace_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
