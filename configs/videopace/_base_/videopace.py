# VideoPace (Wang et al., ECCV 2020; the released pace-prediction part) as
# VSPP with one segment: the whole clip at pace λ in {1..4}, one 4-way pace
# head: VSPP's model and sampler (../../_base_/models/vspp.py, read from it)
# with Z = 1. A leaf lists it in place of VSPP's model base, beside the
# backbone, the dataset, VSPP's schedule (sgd_20e_pretext.py) and the
# runtime, as VSPP's leaves do.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

vspp_sampler = config_variable(
    '{{fileDirname}}/../../_base_/models/vspp.py', 'vspp_sampler',
    num_segments=1)
model = config_variable(
    '{{fileDirname}}/../../_base_/models/vspp.py', 'model',
    head=dict(num_segments=1, with_segment=False))
