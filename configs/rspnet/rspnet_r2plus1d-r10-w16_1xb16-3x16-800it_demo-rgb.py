# Demo: the RSPNet recipe on the demo's unlabelled videos
# (tools/data/make_demo_data.py; 40-64 frames, all longer than the 32-frame
# window). Shrunk: frame size (short side 40, crop 32), batch (8), queue
# (256 keys, as the auxSKD demo) and epochs (6, cosine over 6).
_base_ = ['./rspnet_r2plus1d-r10_2xb15-3x16-200e_k100-rgb.py',
          '../_base_/datasets/demo_unlabelled.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

train_pipeline = update_pipeline(_base_.train_pipeline, **_base_.demo_geometry)
train_dataloader = dict(**_base_.demo_loader, dataset=dict(
    pipeline=train_pipeline, **_base_.demo_unlabelled))
model = dict(queue_size=256)
train_cfg = dict(max_epochs=6)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=6,
                        by_epoch=True, begin=0, end=6)]
default_hooks = dict(logger=dict(interval=4))
