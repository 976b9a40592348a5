# Demo: the VCOP recipe of vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py on
# the demo's unlabelled videos (40-64 frames, shorter than the 64-frame
# tuple span, so the sampler's short-video policy shrinks the gaps or
# loops), with what the demo shrinks (_base_/datasets/demo_unlabelled.py:
# 32x32 crops, 8-wide R(2+1)D-10, batch 16) and an iteration budget
# (docs/small_data.md). Reports the order accuracy on held-out tuples
# (chance 1/6).
_base_ = ['./vcop_r2plus1d-r10_2xb15-3x16x8-200e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.cfg import demo_data, iter_schedule, pretext_val  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_)
model = dict(backbone=_base_.demo_backbone,
             head=dict(in_channels=_base_.demo_channels,
                       hidden_channels=_base_.demo_channels))
optim_wrapper = dict(optimizer=dict(lr=0.01))
train_cfg, param_scheduler, log_processor, default_hooks = iter_schedule(
    800, _base_.demo_iters_per_epoch)
val_dataloader, val_evaluator, val_cfg = pretext_val(
    train_pipeline, _base_.demo_pretext_val, ('order', ))
