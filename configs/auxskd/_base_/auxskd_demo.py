# What every auxSKD demo config changes on its real K-100 leaf, written once
# for the auxSKD demo and the auxSKD + X demos (the reasons for each number:
# ../auxskd_r2plus1d-r10-w8_1xb16-2x16-200it_demo-rgb.py, docs/small_data.md).
# A demo config lists its real leaf, ../../_base_/datasets/demo_unlabelled.py
# and this file, and applies them:
#   train_pipeline, train_dataloader = demo_data(_base_)
#   model, optim_wrapper = _base_.demo_model, _base_.demo_optim_wrapper
#   train_cfg, param_scheduler, log_processor, default_hooks = _base_.demo_schedule
_base_ = []
from mmauxskd.cfg import config_variables, iter_schedule  # noqa: E402

# the demo's backbone, width, steps per epoch and preprocessor
# (demo_unlabelled.py: flip and colour jitter in the loader worker)
_backbone, _channels, _iters_per_epoch, _preprocessor = config_variables(
    '{{fileDirname}}/../../_base_/datasets/demo_unlabelled.py',
    'demo_backbone', 'demo_channels', 'demo_iters_per_epoch',
    'demo_preprocessor')
# 128 anchors; teacher momentum m = 1 - 20 / steps = 0.9
demo_model = dict(backbone=_backbone, neck=dict(in_channels=_channels),
                  queue_size=128, momentum=0.1,
                  data_preprocessor=_preprocessor)
demo_optim_wrapper = dict(optimizer=dict(lr=0.005))
# 200 steps, warm-up then cosine
demo_schedule = iter_schedule(200, _iters_per_epoch)
