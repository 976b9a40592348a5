# auxSKD + VCOP, stage 1 (paper §4.3, Table 1 row 17): auxSKD trained with
# VCOP's own sampling. Each view is a whole VCOP tuple (ClipOrderSampler:
# 3 clips of 16 frames, 8 apart, in a random order), drawn and augmented
# independently per view.
# AuxSKD takes the (B, 2 x 3, C, T, H, W) input and pairs clip j of the
# student's tuple with clip j of the teacher's (two clips of the same video,
# each one that VCOP would feed its encoder), so a batch of B videos gives
# 3B student/teacher pairs and enqueues 3B anchors. Stage 2 initialises VCOP
# from the student:
#   python tools/train.py configs/vcop/vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-vcop_r2plus1d-r10_2xb15-2x3x16x8-20e_k100-rgb/epoch_20.pth
# (docs/pretexts.md#auxskd--x).
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', './_base_/x_samplers.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_vcop_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
