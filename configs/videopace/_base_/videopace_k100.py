# VideoPace (Wang et al., ECCV 2020; the released pace-prediction part) as
# VSPP with one segment: the whole clip at pace λ in {1..4}, one 4-way pace
# head, on Kinetics-100 with VSPP's schedule; the leaf adds the backbone.
_base_ = ['../../vspp/_base_/vspp_k100.py']
from mmauxskd.utils.config_utils import update_pipeline  # noqa: E402

vspp_sampler = dict(num_segments=1)
train_pipeline = update_pipeline(_base_.train_pipeline,
                                 SegmentPaceSampler=vspp_sampler)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
model = dict(head=dict(num_segments=1, with_segment=False))
