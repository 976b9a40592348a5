# Demo: VideoPace (VSPP with one segment, configs/videopace/_base_/
# videopace.py) on the demo's unlabelled videos: the VSPP demo config
# (32x32 crops, 8-wide R(2+1)D-10, batch 12, 1200 steps; docs/small_data.md)
# with Z = 1. Reports the pace accuracy on held-out clips.
_base_ = ['../vspp/vspp_r2plus1d-r10-w8_1xb12-16x1x1-1200it_demo-rgb.py']
from mmauxskd.cfg import pretext_val, update_pipeline  # noqa

train_pipeline = update_pipeline(_base_.train_pipeline,
                                 SegmentPaceSampler=dict(num_segments=1))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(head=dict(num_segments=1, with_segment=False))
val_dataloader, val_evaluator, val_cfg = pretext_val(
    train_pipeline, _base_.demo_pretext_val, ('pace', ))
