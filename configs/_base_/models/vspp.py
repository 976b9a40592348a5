# VSPP (paper §3.2): a 3D backbone (the leaf config adds it from
# _base_/models/<backbone>.py), global average pooling, and two linear heads
# predicting the pace λ (Q = 4 classes) and the altered segment ζ (Z = 4),
# loss CE_pace + CE_segment (Eq. 5, α = β = 1). Training clips come from
# `vspp_sampler`, which the leaf puts in place of the dataset's SampleFrames:
#   train_pipeline = replace_sampler(_base_.train_pipeline,
#                                    _base_.vspp_sampler)
# Keep the sampler's num_segments/num_paces and the head's equal (the head
# raises on a label outside its classes). docs/vspp.md explains it all.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402
vspp_sampler = dict(
    type='SegmentPaceSampler', clip_len=16, num_segments=4, num_paces=4)
model = dict(
    type='VSPP',
    head=dict(
        type='VSPPHead',
        in_channels=512,
        num_paces=4,
        num_segments=4,
        loss_pace_weight=1.0,
        loss_segment_weight=1.0),
    # the finetuning normalisation, so the backbone sees the same inputs in
    # both stages, after the clip's flip and colour jitter, drawn on the
    # training device (pretext_data takes them out of the pipeline)
    data_preprocessor=config_variable('{{fileDirname}}/recognizer3d.py',
                                      'pretext_preprocessor'))
