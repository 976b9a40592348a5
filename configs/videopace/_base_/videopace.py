# VideoPace (Wang et al., ECCV 2020; the released pace-prediction part) as
# VSPP with one segment: the whole clip at pace λ in {1..4}, one 4-way pace
# head, VSPP's schedule; a leaf adds the backbone and the dataset as VSPP's
# leaves do (../../vspp/_base_/vspp.py).
_base_ = ['../../vspp/_base_/vspp.py']
vspp_sampler = dict(num_segments=1)
model = dict(head=dict(num_segments=1, with_segment=False))
