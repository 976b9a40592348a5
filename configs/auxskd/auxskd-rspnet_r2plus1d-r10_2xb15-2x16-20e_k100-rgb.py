# auxSKD + RSPNet, stage 1 (paper §4.3, Table 1 row 21): auxSKD trained with
# RSPNet's video transformation: each of the two views is one 16-frame clip
# at speed 1 or 2 (the first 16 / every other frame of a 32-frame window;
# RelativeSpeedSampler with triplet=False). Stage 2 initialises RSPNet's
# query encoder from the student (backbone.*); its heads, key encoder and
# queue start fresh (the key encoder copies the query encoder at
# init_weights, before --pretrained's weights are loaded, so it is random,
# as §4.3 says):
#   python tools/train.py configs/rspnet/rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py \
#       --pretrained work_dirs/auxskd-rspnet_r2plus1d-r10_2xb15-2x16-20e_k100-rgb/epoch_20.pth
# (docs/pretexts.md#auxskd--x).
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/datasets/k100_videos.py',
          './_base_/auxskd.py', './_base_/x_samplers.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.auxskd_rspnet_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.auxskd_hooks
