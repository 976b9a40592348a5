# Demo: the VCOP recipe of vcop_r2plus1d-r10_2xb15-3x16x8-20e_k100-rgb.py on
# the demo's unlabelled videos (tools/data/make_demo_data.py; 40-64 frames,
# shorter than the 64-frame tuple span, so the sampler's short-video policy
# shrinks the gaps or loops). Only frame size (short side 40, crop 32) and
# batch (8) shrink; sampler, augmentation, model, optimiser and the 20-epoch
# schedule are the real ones.
_base_ = ['./vcop_r2plus1d-r10_2xb15-3x16x8-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(_base_.train_pipeline, **_base_.demo_geometry)
train_dataloader = dict(**_base_.demo_loader, dataset=dict(
    pipeline=train_pipeline, **_base_.demo_unlabelled))
default_hooks = dict(logger=dict(interval=6))
