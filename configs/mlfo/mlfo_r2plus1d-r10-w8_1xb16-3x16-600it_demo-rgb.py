# Demo: MLFO on the demo's unlabelled videos (python
# tools/data/make_demo_data.py --out data/demo): the K-100 recipe with what
# the demo shrinks (_base_/datasets/demo_unlabelled.py: 32x32 clips from a
# short side of 40, an 8-wide R(2+1)D-10 whose levels have 16 / 32 / 64
# channels, batch 16) and the run-length rule of docs/small_data.md: 600
# steps (warm-up then cosine), the paper's schedule points at the same
# fractions (graph losses and score queue from 10% of the run), K = 16
# prototypes (the demo has 4 classes; the paper keeps K above the class
# count), a queue of 128 past scores (4 steps of 2 x 16), and crop and flip
# without the colour augmentation (a demo video's colours are nearly all that
# tells it from another; with the grey and colour jitter, per frame or per
# clip, the instance loss stayed near chance: docs/mlfo.md). Reports the
# instance-discrimination accuracy on held-out videos (is a video's second
# clip the nearest to its first among the 8 of a batch? chance 1/8) and the
# instance readout (4 seeded training draws per held-out video, augmented:
# among all 32 videos, chance 1/32).
#   python tools/train.py configs/mlfo/mlfo_r2plus1d-r10-w8_1xb16-3x16-600it_demo-rgb.py
_base_ = ['./mlfo_r2plus1d-r10_2xb15-3x16-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.cfg import (iter_schedule, mlfo_pretext_val,  # noqa: E402
                          mlfo_transforms, update_pipeline)

_transforms = [dict(type='Resize', **_base_.demo_geometry['Resize'])] + \
    mlfo_transforms(_base_.demo_geometry['RandomCrop']['size'], colour=False)
train_pipeline = update_pipeline(
    _base_.train_pipeline, ViewsOfOneDraw=dict(transforms=_transforms))
train_dataloader = dict(**_base_.demo_loader, dataset=dict(
    pipeline=train_pipeline, **_base_.demo_unlabelled))
_c = _base_.demo_channels
model = dict(backbone=_base_.demo_backbone,
             levels=dict(low=_c // 4, mid=_c // 2, high=_c),
             semantic_neck=dict(in_channels=_c, hid_channels=_c),
             semantic_head=dict(num_prototypes=16, queue_size=128),
             queue_start_epoch=10)
train_cfg, param_scheduler, log_processor, default_hooks = iter_schedule(
    600, _base_.demo_iters_per_epoch)
val_dataloader, val_evaluator, val_cfg = mlfo_pretext_val(
    train_pipeline, _base_.demo_pretext_val, instance_draws=4)
