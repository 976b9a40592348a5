# Demo: the RSPNet recipe on the demo's unlabelled videos (40-64 frames, all
# longer than the 32-frame window), with what the demo shrinks
# (_base_/datasets/demo_unlabelled.py: 32x32 crops, 8-wide R(2+1)D-10,
# batch 16) and the run-length rule of docs/small_data.md: 1600 steps,
# key-encoder momentum 1 - 20 / 1600 = 0.9875, 128 keys in the queue; lr by
# RSPNet's rule. 1600, not the 800 of VCOP: at 800 steps RSPNet's losses
# barely leave chance and its held-out relative speed stayed at 0.72
# (seed 0); at 1600, 0.87 (docs/small_data.md).
# Reports the relative-speed accuracy on held-out triplets (is the
# same-speed clip closer than the other-speed one? chance 0.5) and the
# instance readout of its appearance task (4 seeded training draws per
# held-out video: does the anchor's q_A find its video's other window among
# all 32 videos'? chance 1/32).
_base_ = ['./rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.cfg import demo_data, iter_schedule, pretext_val  # noqa: E402

train_pipeline, train_dataloader = demo_data(_base_)
_heads = dict(in_channels=_base_.demo_channels)  # one Linear, as RSPNet
model = dict(backbone=_base_.demo_backbone, neck=_heads, speed_neck=_heads,
             queue_size=128, momentum=20 / 1600,
             data_preprocessor=_base_.demo_preprocessor)
# RSPNet's lr rule, 0.05 x batch / 64 (0.0125 for batch 16)
optim_wrapper = dict(optimizer=dict(
    lr=_base_.rspnet_lr_per_64 * _base_.demo_loader.batch_size / 64))
train_cfg, param_scheduler, log_processor, default_hooks = iter_schedule(
    1600, _base_.demo_iters_per_epoch)
val_dataloader, val_evaluator, val_cfg = pretext_val(
    train_pipeline, _base_.demo_pretext_val, ('relspeed', ),
    instance_draws=4)
