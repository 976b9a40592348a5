# Kinetics-100 (paper §4.1: 100 Kinetics-400 classes, about 33K clips) as an
# unlabelled pretraining set: a subset of the Kinetics-400 training videos,
# so k400_videos.py's video root, pipeline and loader, read from it with
# config_variables; only the list differs
# (docs/data_preparation.md#kinetics).
_base_ = []
from mmauxskd.cfg import config_variables  # noqa: E402

ann_file_train = 'data/kinetics100/kinetics100_train_list_videos.txt'
(dataset_type, data_root, prepare_hint, train_pipeline, train_dataloader,
 val_dataloader, val_evaluator, test_dataloader,
 test_evaluator) = config_variables(
    '{{fileDirname}}/k400_videos.py', 'dataset_type', 'data_root',
    'prepare_hint', 'train_pipeline', 'train_dataloader', 'val_dataloader',
    'val_evaluator', 'test_dataloader', 'test_evaluator',
    train_dataloader=dict(dataset=dict(ann_file=ann_file_train)))
