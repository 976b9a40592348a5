# Table 4 ablation: VSPP with Z = 2 segments (R3D-18, K-100).
_base_ = ['./vspp_r3d-18_2xb15-16x1x1-20e_k100-rgb.py']
from mmauxskd.cfg import update_pipeline  # noqa: E402

vspp_sampler = dict(num_segments=2)
train_pipeline = update_pipeline(_base_.train_pipeline,
                                 SegmentPaceSampler=vspp_sampler)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(head=dict(num_segments=2))
