# ImageNet-1k (ILSVRC-2012) images for image-side linear probes and kNN, in
# the layout mmpretrain and most SSL code use:
#   data/imagenet/train/n01440764/n01440764_10026.JPEG ...
#   data/imagenet/val/ILSVRC2012_val_00000001.JPEG ...
#   data/imagenet/meta/train.txt   "n01440764/n01440764_10026.JPEG 0"
#   data/imagenet/meta/val.txt     "ILSVRC2012_val_00000001.JPEG 65"
# (docs/data_preparation.md#imagenet-and-voc07). Each image is a one-frame
# clip (LoadImageAsClip) in a RobustVideoDataset, so MMAction2's transforms
# and a broken file's handling apply. Standard linear-eval augmentation:
# RandomResizedCrop 224 + flip for training, short side 256 + centre crop
# 224 for testing.
_base_ = []
from mmauxskd.cfg import config_variable  # noqa: E402

dataset_type = 'RobustVideoDataset'
num_classes = 1000
prepare_hint = 'see docs/data_preparation.md#imagenet-and-voc07'
train_pipeline = [
    dict(type='LoadImageAsClip'),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='LoadImageAsClip'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
val_pipeline = test_pipeline
_train = dict(type=dataset_type, ann_file='data/imagenet/meta/train.txt',
              data_prefix=dict(video='data/imagenet/train'),
              prepare_hint=prepare_hint)
_val = dict(_train, ann_file='data/imagenet/meta/val.txt',
            data_prefix=dict(video='data/imagenet/val'), test_mode=True)
# one thread per worker, pinned batches (as the video loaders)
_workers = config_variable('{{fileDirname}}/video_clips.py', 'worker_loader')
train_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline, **_train), **_workers)
val_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=val_pipeline, **_val), **_workers)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric', metric_list=('top_k_accuracy', ))
test_evaluator = val_evaluator
