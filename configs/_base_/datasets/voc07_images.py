# PASCAL VOC 2007 images, multi-label (20 classes), for image-side linear
# probes: ./imagenet_images.py's loaders and training augmentation (its
# variables, read from it) with VOC's lists, made by tools/data/voc07_lists.py
# from VOCdevkit:
#   data/voc07/voc07_trainval_list.txt   "000005.jpg 8 11 14"  (classes present)
#   data/voc07/voc07_test_list.txt
#   data/voc07/VOCdevkit/VOC2007/JPEGImages/000005.jpg ...
# (docs/data_preparation.md#imagenet-and-voc07). Labels become a 20-d
# multi-hot vector (multi_class=True); the metric is mAP over the 20
# classes; test images are resized to 224x224 whole (objects anywhere).
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

num_classes = 20
test_pipeline = [
    dict(type='LoadImageAsClip'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
val_pipeline = test_pipeline
_voc = dict(data_prefix=dict(video='data/voc07/VOCdevkit/VOC2007/JPEGImages'),
            multi_class=True, num_classes=num_classes)
(dataset_type, prepare_hint, train_pipeline, train_dataloader,
 val_dataloader) = config_variables(
    '{{fileDirname}}/imagenet_images.py', 'dataset_type', 'prepare_hint',
    'train_pipeline', 'train_dataloader', 'val_dataloader',
    train_dataloader=dict(dataset=dict(
        ann_file='data/voc07/voc07_trainval_list.txt', **_voc)),
    val_dataloader=dict(dataset=dict(
        ann_file='data/voc07/voc07_test_list.txt', pipeline=val_pipeline,
        **_voc)))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric',
                     metric_list=('mean_average_precision', ))
test_evaluator = val_evaluator
