# auxSKD with R3D-18 on Kinetics-400 (paper Table 2); see r2plus1d_k100.py.
_base_ = ['../_base_/models/r3d_18.py', '../_base_/datasets/k400_videos.py',
          './_base_/auxskd.py']
from mmauxskd.datasets.transforms import two_view_pipeline  # noqa: E402

train_pipeline = two_view_pipeline(_base_.train_pipeline,
                                   sampler=_base_.vspp_sampler)
train_dataloader = dict(drop_last=True, dataset=dict(pipeline=train_pipeline))
model = dict(backbone=_base_.backbone)
