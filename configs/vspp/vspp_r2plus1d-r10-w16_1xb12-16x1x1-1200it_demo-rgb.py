# Demo: the VSPP recipe of vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py on
# the demo's 96 unlabelled videos (tools/data/make_demo_data.py), on CPU in
# about 1.5 minutes. Only frame size (short side 40, crop 32, as
# _base_/datasets/demo_videos.py) and batch (8) shrink; sampler,
# augmentation, model, optimiser and the 20-epoch schedule are the real ones.
_base_ = ['./vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(_base_.train_pipeline, **_base_.demo_geometry)
train_dataloader = dict(**_base_.demo_loader, dataset=dict(
    pipeline=train_pipeline, **_base_.demo_unlabelled))
default_hooks = dict(logger=dict(interval=6))
