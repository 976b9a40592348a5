# VideoPace (Wang et al., ECCV 2020; the released pace-prediction part) as
# VSPP with one segment: the whole clip at pace λ in {1..4}, one 4-way pace
# head, VSPP's schedule (the bases of ../../vspp/_base_/vspp.py); a leaf
# adds the backbone and the dataset as VSPP's leaves do.
_base_ = ['../../_base_/models/vspp.py',
          '../../_base_/schedules/sgd_20e_pretext.py',
          '../../_base_/default_runtime.py']
vspp_sampler = dict(num_segments=1)
model = dict(head=dict(num_segments=1, with_segment=False))
