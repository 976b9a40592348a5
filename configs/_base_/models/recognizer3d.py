# Stock MMAction2 Recognizer3D for finetuning; a leaf config supplies the
# backbone (from _base_/models/<backbone>.py) and the number of classes.
# To start from a pretext checkpoint: `tools/train.py CONFIG --pretrained
# CKPT` loads its backbone.* tensors only (the classifier stays random);
# `load_from = CKPT` in a config loads every tensor whose name and shape
# match (mmengine's non-strict load).
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

model = dict(
    type='Recognizer3D',
    cls_head=dict(
        type='I3DHead',
        in_channels=512,
        num_classes=101,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        # 10-clip test: softmax averaged over clips (paper §4.2)
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# The pretext models' preprocessor (VSPP, VideoPace, auxSKD and auxSKD + X,
# RSPNet read it): the same normalisation, after the clip setting's flip and
# colour jitter (datasets/video_clips.py, clip_augments), drawn per clip on
# the training device (ClipAugmentPreprocessor; pretext_data takes them out
# of the workers' pipeline). A method whose views or clips draw apart says
# so: num_views (auxSKD's 2), groups (RSPNet's ((0, ), (1, 2))).
pretext_preprocessor = dict(
    model['data_preprocessor'], type='ClipAugmentPreprocessor',
    augments=config_variable('{{fileDirname}}/../datasets/video_clips.py',
                             'clip_augments'))
