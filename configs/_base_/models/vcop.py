# VCOP (Xu et al., CVPR 2019): a tuple of 3 clips of 16 frames, 8 frames
# apart, shuffled; a 3D backbone (the leaf config adds it from
# _base_/models/<backbone>.py) shared by the clips, global average pooling,
# pairwise Linear(1024 -> 512) + ReLU, Dropout(0.5), Linear(3 * 512 -> 3! = 6)
# over the orders, CE. Training tuples come from `vcop_sampler`, which the
# dataset base puts in place of SampleFrames (docs/pretexts.md). Keep the
# sampler's num_clips_tuple and the head's num_clips equal.
# The data preprocessor is the finetuning one (recognizer3d.py), so the
# backbone sees the same inputs in both stages.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402
vcop_sampler = dict(
    type='ClipOrderSampler', clip_len=16, interval=8, num_clips_tuple=3)
model = dict(
    type='VCOP',
    head=dict(type='VCOPHead', in_channels=512, num_clips=3,
              hidden_channels=512, dropout_ratio=0.5),
    data_preprocessor=config_variable('{{fileDirname}}/recognizer3d.py',
                                      'model').data_preprocessor)
