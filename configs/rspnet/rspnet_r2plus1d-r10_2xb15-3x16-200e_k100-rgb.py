# RSPNet with R(2+1)D-10 on Kinetics-100 (paper Table 1, row 20);
# docs/pretexts.md#rspnet. The query encoder is backbone.*.
_base_ = ['../_base_/models/r2plus1d_r10.py', '../_base_/datasets/k100_videos.py',
          './_base_/rspnet.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.rspnet_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.rspnet_hooks
