# RSPNet with R3D-18 on Kinetics-100 (paper Table 1, row 27);
# docs/pretexts.md#rspnet. The query encoder is backbone.*.
_base_ = ['../_base_/models/r3d_18.py', '../_base_/datasets/k100_videos.py',
          './_base_/rspnet.py', '../_base_/default_runtime.py']
from mmauxskd.cfg import pretext_data  # noqa: E402

train_pipeline, train_dataloader = pretext_data(_base_, **_base_.rspnet_data)
model = dict(backbone=_base_.backbone)
custom_hooks = _base_.custom_hooks + _base_.rspnet_hooks
# RSPNet's lr for R3D-18 (config/pretrain/resnet18.jsonnet keeps the SGD
# default 0.1 per 64 clips), by the same rule
rspnet_lr_per_64 = 0.1
optim_wrapper = dict(optimizer=dict(lr=rspnet_lr_per_64 * 30 / 64))
