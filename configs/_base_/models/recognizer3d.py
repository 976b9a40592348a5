# Stock MMAction2 Recognizer3D for finetuning; a leaf config supplies the
# backbone (from _base_/models/<backbone>.py) and the number of classes.
# To start from a pretext checkpoint: `tools/train.py CONFIG --pretrained
# CKPT` loads its backbone.* tensors only (the classifier stays random);
# `load_from = CKPT` in a config loads every tensor whose name and shape
# match (mmengine's non-strict load).
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
