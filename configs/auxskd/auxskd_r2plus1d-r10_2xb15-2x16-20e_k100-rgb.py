# auxSKD with R(2+1)D-10 on Kinetics-100 (paper Tables 2, 3), 2 GPUs x 15:
#   tools/dist_train.sh configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py 2
# Inputs (B, 2, 3, 16, 112, 112): two VSPP clips per video, each augmented on
# its own, decoded in one pass; view 0 -> student, view 1 -> teacher. The
# student backbone (backbone.*) initialises VSPP, then finetuning
# (docs/auxskd.md#chaining).
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
