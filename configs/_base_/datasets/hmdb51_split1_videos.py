# HMDB51 split 1: the UCF101 setting (ucf101_split1_videos.py: dataset
# type, pipelines, loaders and metric, read from it) with other lists and 51
# classes.
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_test = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
prepare_hint = 'see docs/data_preparation.md#hmdb51'
num_classes = 51
_paths = dict(data_prefix=dict(video=data_root), prepare_hint=prepare_hint)
(dataset_type, train_pipeline, val_pipeline, test_pipeline, train_dataloader,
 val_dataloader, test_dataloader, val_evaluator,
 test_evaluator) = config_variables(
    '{{fileDirname}}/ucf101_split1_videos.py', 'dataset_type',
    'train_pipeline', 'val_pipeline', 'test_pipeline', 'train_dataloader',
    'val_dataloader', 'test_dataloader', 'val_evaluator', 'test_evaluator',
    train_dataloader=dict(dataset=dict(ann_file=ann_file_train, **_paths)),
    val_dataloader=dict(dataset=dict(ann_file=ann_file_test, **_paths)),
    test_dataloader=dict(dataset=dict(ann_file=ann_file_test, **_paths)))
