# PASCAL VOC 2007 images, multi-label (20 classes), for image-side linear
# probes. Lists made by tools/data/voc07_lists.py from VOCdevkit:
#   data/voc07/voc07_trainval_list.txt   "000005.jpg 8 11 14"  (classes present)
#   data/voc07/voc07_test_list.txt
#   data/voc07/VOCdevkit/VOC2007/JPEGImages/000005.jpg ...
# (docs/data_preparation.md#imagenet-and-voc07). Each image is a one-frame
# clip (LoadImageAsClip); labels become a 20-d multi-hot vector
# (multi_class=True); the metric is mAP over the 20 classes.
dataset_type = 'RobustVideoDataset'
num_classes = 20
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
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
val_pipeline = test_pipeline
_train = dict(type=dataset_type,
              ann_file='data/voc07/voc07_trainval_list.txt',
              data_prefix=dict(video='data/voc07/VOCdevkit/VOC2007/'
                               'JPEGImages'),
              multi_class=True, num_classes=num_classes,
              prepare_hint=prepare_hint)
_test = dict(_train, ann_file='data/voc07/voc07_test_list.txt',
             test_mode=True)
train_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline, **_train))
val_dataloader = dict(
    batch_size=32, num_workers=8, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=val_pipeline, **_test))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric',
                     metric_list=('mean_average_precision', ))
test_evaluator = val_evaluator
